// core/v1 kinds other than Pod: Node, Namespace, Service, Endpoints, Event,
// ConfigMap, Secret, and the Binding and Eviction (policy/v1) subresource
// bodies. Field names follow k8s.io/api/core/v1.

import type { DeleteOptions, IntOrString, MicroTime, ObjectMeta, Time, TypeMeta } from './meta.js';
import type { Protocol, ResourceList, TaintEffect, ConditionStatus } from './pod.js';

// ---- Node -----------------------------------------------------------------

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: Time;
}

export interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: Taint[];
}

export interface NodeCondition {
  type: 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable' | string;
  status: ConditionStatus;
  lastHeartbeatTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

export interface NodeAddress {
  type: 'Hostname' | 'InternalIP' | 'ExternalIP' | 'InternalDNS' | 'ExternalDNS';
  address: string;
}

export interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
}

export interface ContainerImage {
  names?: string[];
  sizeBytes?: number;
}

export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  phase?: 'Pending' | 'Running' | 'Terminated';
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: NodeSystemInfo;
  images?: ContainerImage[];
}

export interface Node extends TypeMeta {
  metadata: ObjectMeta;
  spec?: NodeSpec;
  status?: NodeStatus;
}

// ---- Namespace ------------------------------------------------------------

export interface Namespace extends TypeMeta {
  metadata: ObjectMeta;
  spec?: { finalizers?: string[] };
  status?: {
    phase?: 'Active' | 'Terminating';
    conditions?: { type: string; status: ConditionStatus; lastTransitionTime?: Time; reason?: string; message?: string }[];
  };
}

// ---- Service / Endpoints --------------------------------------------------

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  appProtocol?: string;
  port: number;
  targetPort?: IntOrString;
  nodePort?: number;
}

export interface ServiceSpec {
  ports?: ServicePort[];
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  type?: ServiceType;
  externalIPs?: string[];
  sessionAffinity?: 'ClientIP' | 'None';
  loadBalancerIP?: string;
  externalName?: string;
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  publishNotReadyAddresses?: boolean;
  ipFamilies?: ('IPv4' | 'IPv6')[];
  ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  allocateLoadBalancerNodePorts?: boolean;
}

export interface ServiceStatus {
  loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] };
  conditions?: { type: string; status: ConditionStatus; lastTransitionTime?: Time; reason?: string; message?: string; observedGeneration?: number }[];
}

export interface Service extends TypeMeta {
  metadata: ObjectMeta;
  spec?: ServiceSpec;
  status?: ServiceStatus;
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: Protocol;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends TypeMeta {
  metadata: ObjectMeta;
  subsets?: EndpointSubset[];
}

// ---- Event ----------------------------------------------------------------

export interface EventSource {
  component?: string;
  host?: string;
}

export interface Event extends TypeMeta {
  metadata: ObjectMeta;
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: EventSource;
  firstTimestamp?: Time | null;
  lastTimestamp?: Time | null;
  count?: number;
  type?: 'Normal' | 'Warning';
  eventTime?: MicroTime | null;
  series?: { count?: number; lastObservedTime?: MicroTime };
  action?: string;
  related?: ObjectReference;
  reportingComponent?: string;
  reportingInstance?: string;
}

// ---- ConfigMap / Secret ---------------------------------------------------

export interface ConfigMap extends TypeMeta {
  metadata: ObjectMeta;
  immutable?: boolean;
  data?: Record<string, string>;
  /** Values are base64 on the wire. */
  binaryData?: Record<string, string>;
}

export interface Secret extends TypeMeta {
  metadata: ObjectMeta;
  immutable?: boolean;
  /** Values are base64 on the wire. */
  data?: Record<string, string>;
  /** Write-only convenience field: merged into data on write. */
  stringData?: Record<string, string>;
  type?: string;
}

// ---- Subresource bodies ---------------------------------------------------

/** POST pods/{name}/binding: what the scheduler sends to place a pod. */
export interface Binding extends TypeMeta {
  metadata: ObjectMeta;
  target: ObjectReference;
}

/** POST pods/{name}/eviction (policy/v1): what `kubectl drain` sends. */
export interface Eviction extends TypeMeta {
  metadata: ObjectMeta;
  deleteOptions?: DeleteOptions;
}

