// core/v1 PodSpec and its scheduling and volume types: affinity,
// tolerations, topology spread, volumes and their common sources.

import { NS, QUANTITY, anyObject, bool, int32, int64, listOf, mapOf, oneOf, optRef, ref, req, str, strList, strMap, type, type TypeDef } from './dsl.js';

const C = NS.core;
const M = NS.meta;

export const PODSPEC_TYPES: readonly TypeDef[] = [
  type(`${C}PodSpec`, 'The desired state of a pod: its containers and how and where to run them.', {
    activeDeadlineSeconds: int64('Seconds the pod may run (counted from its start) before it is failed.'),
    affinity: optRef(`${C}Affinity`, 'Node affinity and pod (anti-)affinity rules for scheduling.'),
    automountServiceAccountToken: bool('Whether to mount the service account token into the pod.'),
    containers: req(listOf(ref(`${C}Container`), 'The containers of the pod; at least one. Immutable.')),
    dnsPolicy: oneOf(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'], 'How DNS is configured for the pod. Default ClusterFirst.'),
    enableServiceLinks: bool('Inject environment variables describing the services of the namespace. Default true.'),
    hostAliases: listOf(ref(`${C}HostAlias`), 'Extra entries for the pod\'s /etc/hosts.'),
    hostIPC: bool('Use the host\'s IPC namespace. Default false.'),
    hostNetwork: bool('Use the host\'s network namespace; container ports then become host ports. Default false.'),
    hostPID: bool('Use the host\'s PID namespace. Default false.'),
    hostname: str('The pod\'s hostname. Default: the pod name.'),
    imagePullSecrets: listOf(ref(`${C}LocalObjectReference`), 'Secrets holding registry credentials for pulling images.'),
    initContainers: listOf(ref(`${C}Container`), 'Containers run one after another, each to completion, before the regular ones start; restartPolicy Always makes a sidecar.'),
    nodeName: str('The node the pod runs on. Set by the scheduler; setting it yourself bypasses scheduling.'),
    nodeSelector: strMap('Labels a node must have for the pod to be scheduled there.'),
    overhead: mapOf(ref(QUANTITY, undefined, { nullable: true }), 'Resources the pod\'s sandbox uses on top of its containers.'),
    preemptionPolicy: oneOf(['Never', 'PreemptLowerPriority'], 'Whether the pod may evict lower-priority pods to be scheduled. Set from the priority class.'),
    priority: int32('The pod\'s priority, resolved from its priority class at creation; higher schedules first.'),
    priorityClassName: str('The PriorityClass giving the pod its priority. Default: the global default class, or priority 0.'),
    readinessGates: listOf(ref(`${C}PodReadinessGate`), 'Extra pod conditions that must be True for the pod to be Ready.'),
    restartPolicy: oneOf(['Always', 'Never', 'OnFailure'], 'Restart policy of the pod\'s containers. Default Always.'),
    schedulerName: str('The scheduler that places the pod. Default "default-scheduler".'),
    schedulingGates: listOf(ref(`${C}PodSchedulingGate`), 'While any gate is listed, the pod is not scheduled.'),
    securityContext: ref(`${C}PodSecurityContext`, 'Security settings for every container of the pod.'),
    serviceAccountName: str('The service account the pod runs as. Default "default".'),
    subdomain: str('With hostname, gives the pod the DNS name <hostname>.<subdomain>.<namespace>.svc.'),
    terminationGracePeriodSeconds: int64('Seconds between the stop signal and the kill when the pod is deleted. Default 30.'),
    tolerations: listOf(ref(`${C}Toleration`), 'Taints the pod tolerates.'),
    topologySpreadConstraints: listOf(ref(`${C}TopologySpreadConstraint`), 'How the pod\'s replicas spread over zones, nodes or other topology domains.'),
    volumes: listOf(ref(`${C}Volume`), 'Volumes the containers can mount.'),
  }),
  type(`${C}PodSecurityContext`, 'Security settings applied to every container of a pod.', {
    fsGroup: int64('A supplemental group owning the pod\'s volumes.'),
    runAsGroup: int64('GID of the container processes.'),
    runAsNonRoot: bool('Refuse to start containers as UID 0.'),
    runAsUser: int64('UID of the container processes.'),
    supplementalGroups: listOf(int64(), 'Extra groups of the container processes.'),
  }),
  type(`${C}LocalObjectReference`, 'A reference to an object in the same namespace, by name.', { name: str('The object\'s name.') }, { 'x-kubernetes-map-type': 'atomic' }),
  type(`${C}HostAlias`, 'One /etc/hosts entry.', { hostnames: strList('Host names for the address.'), ip: req(str('The IP address.')) }),
  type(`${C}PodReadinessGate`, 'A condition that must be True for the pod to be Ready.', { conditionType: req(str('The pod condition type.')) }),
  type(`${C}PodSchedulingGate`, 'A gate that holds the pod back from scheduling while present.', { name: req(str('The gate\'s name.')) }),
  type(`${C}Toleration`, 'Allows the pod onto nodes with a matching taint.', {
    effect: oneOf(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'The taint effect tolerated; empty tolerates all effects.'),
    key: str('The taint key; empty with operator Exists tolerates every taint.'),
    operator: oneOf(['Equal', 'Exists'], 'How the value is compared. Default Equal.'),
    tolerationSeconds: int64('For NoExecute: how long the pod stays on the node after the taint appears. Default: forever.'),
    value: str('The taint value to match with Equal.'),
  }),
  type(`${C}TopologySpreadConstraint`, 'How matching pods spread across a topology (zones, nodes, ...).', {
    labelSelector: optRef(`${M}LabelSelector`, 'The pods counted in each domain.'),
    matchLabelKeys: strList('Label keys whose values from the incoming pod narrow the counted pods.'),
    maxSkew: req(int32('The largest allowed difference in matching pods between two domains.')),
    minDomains: int32('The minimum number of eligible domains.'),
    nodeAffinityPolicy: str('Whether node affinity limits the domains considered: Honor (default) or Ignore.'),
    nodeTaintsPolicy: str('Whether taints limit the domains considered: Honor or Ignore (default).'),
    topologyKey: req(str('The node label whose values are the domains, e.g. topology.kubernetes.io/zone.')),
    whenUnsatisfiable: req(oneOf(['DoNotSchedule', 'ScheduleAnyway'], 'What to do when the constraint cannot be met.')),
  }),
  type(`${C}Affinity`, 'Scheduling constraints relative to nodes and to other pods.', {
    nodeAffinity: optRef(`${C}NodeAffinity`, 'Constraints on the node\'s labels.'),
    podAffinity: optRef(`${C}PodAffinity`, 'Place the pod near pods matching these terms.'),
    podAntiAffinity: optRef(`${C}PodAntiAffinity`, 'Keep the pod away from pods matching these terms.'),
  }),
  type(`${C}NodeAffinity`, 'Node affinity: required and preferred node selector terms.', {
    preferredDuringSchedulingIgnoredDuringExecution: listOf(ref(`${C}PreferredSchedulingTerm`), 'Weighted terms the scheduler tries to satisfy.'),
    requiredDuringSchedulingIgnoredDuringExecution: optRef(`${C}NodeSelector`, 'Terms a node must satisfy (any one of them).'),
  }),
  type(`${C}NodeSelector`, 'A set of node selector terms, any one of which must match.', {
    nodeSelectorTerms: req(listOf(ref(`${C}NodeSelectorTerm`), 'The terms, ORed.')),
  }, { 'x-kubernetes-map-type': 'atomic' }),
  type(`${C}NodeSelectorTerm`, 'Requirements on node labels and fields, all of which must hold.', {
    matchExpressions: listOf(ref(`${C}NodeSelectorRequirement`), 'Requirements on node labels.'),
    matchFields: listOf(ref(`${C}NodeSelectorRequirement`), 'Requirements on node fields (metadata.name).'),
  }, { 'x-kubernetes-map-type': 'atomic' }),
  type(`${C}NodeSelectorRequirement`, 'One requirement on a node label or field.', {
    key: req(str('The label key or field.')),
    operator: req(oneOf(['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'], 'How key and values relate.')),
    values: strList('Values: several for In/NotIn, one integer for Gt/Lt, none for Exists/DoesNotExist.'),
  }),
  type(`${C}PreferredSchedulingTerm`, 'A node selector term with a weight.', {
    preference: req(ref(`${C}NodeSelectorTerm`, 'The term.')),
    weight: req(int32('Weight, 1-100.')),
  }),
  type(`${C}PodAffinity`, 'Rules to place the pod in the same domain as certain pods.', {
    preferredDuringSchedulingIgnoredDuringExecution: listOf(ref(`${C}WeightedPodAffinityTerm`), 'Weighted terms the scheduler tries to satisfy.'),
    requiredDuringSchedulingIgnoredDuringExecution: listOf(ref(`${C}PodAffinityTerm`), 'Terms that must all hold.'),
  }),
  type(`${C}PodAntiAffinity`, 'Rules to keep the pod out of domains holding certain pods.', {
    preferredDuringSchedulingIgnoredDuringExecution: listOf(ref(`${C}WeightedPodAffinityTerm`), 'Weighted terms the scheduler tries to satisfy.'),
    requiredDuringSchedulingIgnoredDuringExecution: listOf(ref(`${C}PodAffinityTerm`), 'Terms that must all hold.'),
  }),
  type(`${C}PodAffinityTerm`, 'Pods (selected by labels, in some namespaces) and the topology domain they define.', {
    labelSelector: optRef(`${M}LabelSelector`, 'The pods this term is about.'),
    matchLabelKeys: strList('Label keys whose values from the incoming pod narrow the selected pods.'),
    mismatchLabelKeys: strList('Label keys whose values from the incoming pod exclude pods.'),
    namespaceSelector: optRef(`${M}LabelSelector`, 'Namespaces to look in, by label.'),
    namespaces: strList('Namespaces to look in. Default: the pod\'s own.'),
    topologyKey: req(str('Node label whose value defines "the same domain", e.g. kubernetes.io/hostname.')),
  }),
  type(`${C}WeightedPodAffinityTerm`, 'A pod affinity term with a weight.', {
    podAffinityTerm: req(ref(`${C}PodAffinityTerm`, 'The term.')),
    weight: req(int32('Weight, 1-100.')),
  }),
  type(`${C}Volume`, 'A named volume of a pod, with exactly one source.', {
    configMap: optRef(`${C}ConfigMapVolumeSource`, 'Files from a ConfigMap\'s keys.'),
    downwardAPI: anyObject('Files with pod fields and resource values.'),
    emptyDir: optRef(`${C}EmptyDirVolumeSource`, 'A directory that starts empty and lives as long as the pod.'),
    hostPath: optRef(`${C}HostPathVolumeSource`, 'A file or directory of the node.'),
    name: req(str('The volume\'s name, a DNS label unique in the pod; mounts refer to it.')),
    persistentVolumeClaim: optRef(`${C}PersistentVolumeClaimVolumeSource`, 'A claim on a persistent volume in the pod\'s namespace.'),
    projected: anyObject('Several sources (secrets, config maps, downward API, tokens) in one directory.'),
    secret: optRef(`${C}SecretVolumeSource`, 'Files from a Secret\'s keys.'),
  }),
  type(`${C}EmptyDirVolumeSource`, 'A scratch directory that starts empty.', {
    medium: str('Storage medium: "" (node default) or "Memory" (tmpfs).'),
    sizeLimit: ref(QUANTITY, 'The most space the directory may use.', { nullable: true }),
  }),
  type(`${C}HostPathVolumeSource`, 'A file or directory on the node.', {
    path: req(str('Path on the node.')),
    type: str('What the path must be: "" (no check), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice.'),
  }),
  type(`${C}KeyToPath`, 'Maps one key to a file path in a volume.', {
    key: req(str('The key.')),
    mode: int32('File mode bits, e.g. 0644 (420 in JSON).'),
    path: req(str('Relative path of the file.')),
  }),
  type(`${C}ConfigMapVolumeSource`, 'Files from a ConfigMap.', {
    defaultMode: int32('Mode bits of the files. Default 0644.'),
    items: listOf(ref(`${C}KeyToPath`), 'Which keys to project, and where; all keys when empty.'),
    name: str('The ConfigMap\'s name.'),
    optional: bool('Whether the ConfigMap may be missing.'),
  }),
  type(`${C}SecretVolumeSource`, 'Files from a Secret.', {
    defaultMode: int32('Mode bits of the files. Default 0644.'),
    items: listOf(ref(`${C}KeyToPath`), 'Which keys to project, and where; all keys when empty.'),
    optional: bool('Whether the Secret may be missing.'),
    secretName: str('The Secret\'s name.'),
  }),
  type(`${C}PersistentVolumeClaimVolumeSource`, 'A reference to a PersistentVolumeClaim.', {
    claimName: req(str('The claim\'s name.')),
    readOnly: bool('Mount read-only. Default false.'),
  }),
];
