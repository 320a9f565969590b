// core/v1 kinds other than Pod: Node, Namespace, Service, Endpoints, Event,
// ConfigMap, Secret.

import { INT_OR_STRING, NS, QUANTITY, anyObject, bool, int32, int64, kindType, listOf, mapOf, oneOf, optRef, ref, req, str, strList, strMap, type, type TypeDef } from './dsl.js';

const C = NS.core;
const M = NS.meta;
const gvk = (kind: string) => ({ group: '', version: 'v1', kind });
const quantities = (d: string) => mapOf(ref(QUANTITY, undefined, { nullable: true }), d);

export const NODE_TYPES: readonly TypeDef[] = [
  kindType(`${C}Node`, gvk('Node'), 'A worker machine, registered by its kubelet.', {
    spec: ref(`${C}NodeSpec`, 'How the node may be used.'),
    status: ref(`${C}NodeStatus`, 'What the kubelet last reported. Read-only for users.'),
  }),
  type(`${C}NodeSpec`, 'How a node may be used.', {
    configSource: anyObject('Deprecated: the source of dynamic kubelet configuration. Stored as given.'),
    externalID: str('Deprecated; not used.'),
    podCIDR: str('The pod IP range assigned to the node.'),
    podCIDRs: strList('The pod IP ranges assigned to the node (one per IP family).'),
    providerID: str('The node\'s ID at its cloud provider.'),
    taints: listOf(ref(`${C}Taint`), 'Taints repelling pods that do not tolerate them.'),
    unschedulable: bool('Cordoned: no new pods are scheduled onto the node.'),
  }),
  type(`${C}Taint`, 'Marks a node so that pods without a matching toleration stay off (or are evicted).', {
    effect: req(oneOf(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'What happens to pods that do not tolerate the taint.')),
    key: req(str('The taint key.')),
    timeAdded: ref(`${M}Time`, 'When a NoExecute taint was added.', { nullable: true }),
    value: str('The taint value.'),
  }),
  type(`${C}NodeStatus`, 'What a node\'s kubelet reports.', {
    addresses: listOf(ref(`${C}NodeAddress`), 'The node\'s addresses.'),
    allocatable: quantities('Resources available to pods (capacity minus system reservations).'),
    capacity: quantities('Total resources of the node.'),
    conditions: listOf(ref(`${C}NodeCondition`), 'Ready, MemoryPressure, DiskPressure, PIDPressure, ...'),
    config: anyObject('Deprecated: the status of dynamic kubelet configuration. Stored as given.'),
    daemonEndpoints: ref(`${C}NodeDaemonEndpoints`, 'Ports of daemons on the node.'),
    features: optRef(`${C}NodeFeatures`, 'Features the node\'s runtime supports.'),
    images: listOf(ref(`${C}ContainerImage`), 'Images present on the node.'),
    nodeInfo: ref(`${C}NodeSystemInfo`, 'Versions and identifiers of the node.'),
    phase: str('Deprecated; not used.'),
    runtimeHandlers: listOf(ref(`${C}NodeRuntimeHandler`), 'The runtime handlers (RuntimeClasses) the node offers.'),
    volumesAttached: listOf(ref(`${C}AttachedVolume`), 'Volumes attached to the node.'),
    volumesInUse: strList('Volumes in use (mounted) on the node.'),
  }),
  type(`${C}AttachedVolume`, 'A volume attached to a node.', {
    devicePath: req(str('Where the device is on the node.')),
    name: req(str('The volume\'s name.')),
  }),
  type(`${C}NodeFeatures`, 'Features of a node\'s runtime.', {
    supplementalGroupsPolicy: bool('Whether the runtime honours a pod\'s supplementalGroupsPolicy.'),
  }),
  type(`${C}NodeRuntimeHandler`, 'One runtime handler of a node.', {
    features: optRef(`${C}NodeRuntimeHandlerFeatures`, 'What the handler supports.'),
    name: str('The handler\'s name; empty for the default.'),
  }),
  type(`${C}NodeRuntimeHandlerFeatures`, 'Features of a runtime handler.', {
    recursiveReadOnlyMounts: bool('Recursive read-only mounts.'),
    userNamespaces: bool('User namespaces.'),
  }),
  type(`${C}NodeAddress`, 'One address of a node.', {
    address: req(str('The address.')),
    type: req(str('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.')),
  }),
  type(`${C}NodeCondition`, 'One condition of a node.', {
    lastHeartbeatTime: ref(`${M}Time`, 'When the kubelet last confirmed the condition.', { nullable: true }),
    lastTransitionTime: ref(`${M}Time`, 'When the status last changed.', { nullable: true }),
    message: str('Details of the last change.'),
    reason: str('A short CamelCase reason for the last change.'),
    status: req(str('True, False or Unknown.')),
    type: req(str('The condition type, e.g. Ready.')),
  }),
  type(`${C}NodeDaemonEndpoints`, 'Ports of the daemons on a node.', { kubeletEndpoint: ref(`${C}DaemonEndpoint`, 'The kubelet\'s port.') }),
  type(`${C}DaemonEndpoint`, 'A daemon\'s port.', { Port: req(int32('The port number.')) }),
  type(`${C}ContainerImage`, 'An image stored on a node.', { names: strList('Names of the image.'), sizeBytes: int64('Size in bytes.') }),
  type(`${C}NodeSystemInfo`, 'Versions and identifiers a node reports.', {
    architecture: req(str('CPU architecture.')),
    bootID: req(str('Boot ID.')),
    containerRuntimeVersion: req(str('Container runtime and version, e.g. containerd://1.7.')),
    kernelVersion: req(str('Kernel version (uname -r).')),
    kubeProxyVersion: req(str('Deprecated: kube-proxy version.')),
    kubeletVersion: req(str('Kubelet version.')),
    machineID: req(str('Machine ID.')),
    operatingSystem: req(str('Operating system.')),
    osImage: req(str('OS image, from /etc/os-release.')),
    systemUUID: req(str('System UUID.')),
  }),
];

export const NAMESPACE_TYPES: readonly TypeDef[] = [
  kindType(`${C}Namespace`, gvk('Namespace'), 'A scope for names; most objects live in one.', {
    spec: ref(`${C}NamespaceSpec`, 'The namespace\'s finalizers.'),
    status: ref(`${C}NamespaceStatus`, 'Whether the namespace is active or being deleted.'),
  }),
  type(`${C}NamespaceSpec`, 'What a namespace needs before it can be deleted.', { finalizers: strList('Cleanup steps that must finish before the namespace is removed.') }),
  type(`${C}NamespaceStatus`, 'The observed state of a namespace.', {
    conditions: listOf(ref(`${C}NamespaceCondition`), 'Conditions of the namespace.'),
    phase: oneOf(['Active', 'Terminating'], 'Active, or Terminating once deletion started.'),
  }),
  type(`${C}NamespaceCondition`, 'One condition of a namespace.', {
    lastTransitionTime: ref(`${M}Time`, 'When the status last changed.', { nullable: true }),
    message: str('Details.'),
    reason: str('A short reason.'),
    status: req(str('True, False or Unknown.')),
    type: req(str('The condition type.')),
  }),
];

export const SERVICE_TYPES: readonly TypeDef[] = [
  kindType(`${C}Service`, gvk('Service'), 'A stable virtual IP and DNS name in front of a set of pods.', {
    spec: ref(`${C}ServiceSpec`, 'Ports, selector and type of the service.'),
    status: ref(`${C}ServiceStatus`, 'The load balancer, if any.'),
  }),
  type(`${C}ServiceSpec`, 'How a service is exposed and which pods it routes to.', {
    allocateLoadBalancerNodePorts: bool('For LoadBalancer services: whether node ports are allocated. Default true.'),
    clusterIP: str('The service\'s virtual IP; "None" makes a headless service. Allocated when empty.'),
    clusterIPs: strList('The service\'s virtual IPs, one per IP family; the first equals clusterIP.'),
    externalIPs: strList('Extra IPs on which nodes accept traffic for the service.'),
    externalName: str('For ExternalName services: the DNS name the service aliases.'),
    externalTrafficPolicy: oneOf(['Cluster', 'Local'], 'Whether external traffic may go to pods on other nodes.'),
    healthCheckNodePort: int32('For LoadBalancer services with externalTrafficPolicy Local: the node port of the health check.'),
    internalTrafficPolicy: oneOf(['Cluster', 'Local'], 'Whether in-cluster traffic may go to pods on other nodes. Default Cluster.'),
    ipFamilies: strList('IP families of the service: IPv4, IPv6.'),
    ipFamilyPolicy: oneOf(['PreferDualStack', 'RequireDualStack', 'SingleStack'], 'Single- or dual-stack. Default SingleStack.'),
    loadBalancerClass: str('Which load balancer implementation serves a LoadBalancer service.'),
    loadBalancerIP: str('Deprecated: the requested load balancer IP.'),
    loadBalancerSourceRanges: strList('Client CIDRs a cloud load balancer accepts.'),
    ports: listOf(ref(`${C}ServicePort`), 'The ports the service exposes.'),
    publishNotReadyAddresses: bool('Include pods that are not ready in the service\'s endpoints.'),
    selector: strMap('Pods with these labels receive the service\'s traffic.'),
    sessionAffinity: oneOf(['ClientIP', 'None'], 'Stick each client to one pod. Default None.'),
    sessionAffinityConfig: optRef(`${C}SessionAffinityConfig`, 'Settings of the session affinity.'),
    trafficDistribution: str('A preference for how traffic is spread over endpoints, e.g. PreferClose.'),
    type: oneOf(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'How the service is exposed. Default ClusterIP.'),
  }),
  type(`${C}ServicePort`, 'One port of a service.', {
    appProtocol: str('The application protocol, e.g. http.'),
    name: str('The port\'s name; required when there are several ports.'),
    nodePort: int32('The port on every node, for NodePort and LoadBalancer services. Allocated when empty.'),
    port: req(int32('The port the service listens on.')),
    protocol: oneOf(['SCTP', 'TCP', 'UDP'], 'Protocol. Default TCP.'),
    targetPort: ref(INT_OR_STRING, 'The pods\' port: a number or a container port name. Default: port.', { nullable: true }),
  }),
  type(`${C}ServiceStatus`, 'The observed state of a service.', {
    conditions: listOf(ref(`${M}Condition`), 'Conditions of the service.'),
    loadBalancer: ref(`${C}LoadBalancerStatus`, 'The load balancer, if one was provisioned.'),
  }),
  type(`${C}LoadBalancerStatus`, 'A provisioned load balancer.', { ingress: listOf(ref(`${C}LoadBalancerIngress`), 'Its addresses.') }),
  type(`${C}LoadBalancerIngress`, 'One address of a load balancer.', {
    hostname: str('A DNS name.'),
    ip: str('An IP address.'),
    ipMode: str('How traffic for the IP reaches nodes: VIP or Proxy.'),
    ports: listOf(ref(`${C}PortStatus`), 'The status of each service port.'),
  }),
  type(`${C}PortStatus`, 'The status of one load balancer port.', {
    error: str('Why the port is not working, if it is not.'),
    port: req(int32('The port number.')),
    protocol: req(oneOf(['SCTP', 'TCP', 'UDP'], 'The protocol.')),
  }),
  type(`${C}SessionAffinityConfig`, 'Settings of a service\'s session affinity.', {
    clientIP: optRef(`${C}ClientIPConfig`, 'For ClientIP affinity.'),
  }),
  type(`${C}ClientIPConfig`, 'ClientIP session affinity settings.', {
    timeoutSeconds: int32('How long a client sticks to a pod. Default 10800 (3 hours).'),
  }),
  type(`${M}Condition`, 'A condition in the standard form.', {
    lastTransitionTime: req(ref(`${M}Time`, 'When the status last changed.', { nullable: true })),
    message: req(str('Details.')),
    observedGeneration: int64('The generation the condition was computed from.'),
    reason: req(str('A short CamelCase reason.')),
    status: req(str('True, False or Unknown.')),
    type: req(str('The condition type.')),
  }),
  kindType(`${C}Endpoints`, gvk('Endpoints'), 'The addresses and ports that implement a service; kept up to date by the endpoints controller.', {
    subsets: listOf(ref(`${C}EndpointSubset`), 'Groups of addresses sharing the same ports.'),
  }),
  type(`${C}EndpointSubset`, 'Addresses with a common set of ports.', {
    addresses: listOf(ref(`${C}EndpointAddress`), 'Ready addresses.'),
    notReadyAddresses: listOf(ref(`${C}EndpointAddress`), 'Addresses not ready yet.'),
    ports: listOf(ref(`${C}EndpointPort`), 'The ports.'),
  }),
  type(`${C}EndpointAddress`, 'One endpoint address.', {
    hostname: str('Hostname of the endpoint.'),
    ip: req(str('The IP address.')),
    nodeName: str('The node the endpoint is on.'),
    targetRef: optRef(`${C}ObjectReference`, 'The object (usually a pod) behind the address.'),
  }, { 'x-kubernetes-map-type': 'atomic' }),
  type(`${C}EndpointPort`, 'One endpoint port.', {
    appProtocol: str('The application protocol.'),
    name: str('Must match the service port\'s name.'),
    port: req(int32('The port number.')),
    protocol: oneOf(['SCTP', 'TCP', 'UDP'], 'Protocol. Default TCP.'),
  }, { 'x-kubernetes-map-type': 'atomic' }),
];

export const EVENT_AND_DATA_TYPES: readonly TypeDef[] = [
  kindType(`${C}Event`, gvk('Event'), 'A report of something that happened to an object.', {
    action: str('What was done, or failed.'),
    count: int32('How many times this event has occurred.'),
    eventTime: ref(`${M}MicroTime`, 'When the event first happened (events.k8s.io style).', { nullable: true }),
    firstTimestamp: ref(`${M}Time`, 'When the event was first recorded.', { nullable: true }),
    involvedObject: req(ref(`${C}ObjectReference`, 'The object the event is about.')),
    lastTimestamp: ref(`${M}Time`, 'When the event was last recorded.', { nullable: true }),
    message: str('A human-readable description.'),
    reason: str('A short CamelCase reason, e.g. Scheduled, Pulled, BackOff.'),
    related: optRef(`${C}ObjectReference`, 'A second object involved.'),
    reportingComponent: str('The controller that emitted the event, e.g. kubelet.'),
    reportingInstance: str('The instance of that controller.'),
    series: optRef(`${C}EventSeries`, 'Data about repeated occurrences.'),
    source: ref(`${C}EventSource`, 'The component reporting the event.'),
    type: str('Normal or Warning.'),
  }),
  type(`${C}EventSource`, 'Where an event came from.', { component: str('The reporting component.'), host: str('The node name.') }),
  type(`${C}EventSeries`, 'Repeated occurrences of an event.', {
    count: int32('Occurrences so far.'),
    lastObservedTime: ref(`${M}MicroTime`, 'The last occurrence.', { nullable: true }),
  }),
  kindType(`${C}ConfigMap`, gvk('ConfigMap'), 'Configuration data as key/value pairs, for pods to read as files or environment.', {
    binaryData: mapOf(str(undefined, { format: 'byte' }), 'Binary values, base64 in JSON; keys must not repeat those of data.'),
    data: strMap('UTF-8 values.'),
    immutable: bool('When true, the data can no longer change.'),
  }),
  kindType(`${C}Secret`, gvk('Secret'), 'Sensitive data (passwords, tokens, keys) as key/value pairs.', {
    data: mapOf(str(undefined, { format: 'byte' }), 'Values, base64-encoded.'),
    immutable: bool('When true, the data can no longer change.'),
    stringData: strMap('Write-only convenience: plain-text values merged into data on write.'),
    type: str('How the data is meant to be used, e.g. Opaque, kubernetes.io/tls. Default Opaque.'),
  }),
];
