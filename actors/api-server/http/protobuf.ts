/**
 * Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf),
 * which kubectl 1.32+ sends for `create deployment`, `create namespace` and
 * a few other typed-client writes: the magic `k8s\0`, then
 * runtime.Unknown{1: TypeMeta{1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType},
 * where raw is the object's own message.
 *
 * A hand-written wire reader and a field-number table transcribed from
 * k8s.io/api generated.proto for the kinds that arrive this way
 * (Deployment, Namespace, ConfigMap, Secret, DeleteOptions; Service, Job,
 * PriorityClass and PodDisruptionBudget from `kubectl create
 * service|job|priorityclass|pdb`) and the types
 * they contain. The Go encoder writes every non-pointer field, so empty
 * strings, zeros and false are dropped unless the field is a pointer
 * (`ptr`). Unknown field numbers are skipped. Other kinds: undefined (the
 * caller answers 415).
 */

type Scalar = 'string' | 'int' | 'bool' | 'bytes' | 'time' | 'intstr' | 'quantity';

interface Field {
  readonly name: string;
  /** A message type name from TYPES, or a scalar. */
  readonly type: Scalar | string;
  readonly repeated?: boolean;
  /** map<string, type>. */
  readonly map?: boolean;
  /** A Go pointer: a zero value is still a value. */
  readonly ptr?: boolean;
}

type Message = Readonly<Record<number, Field>>;

const f = (name: string, type: string, opts: Omit<Field, 'name' | 'type'> = {}): Field => ({ name, type, ...opts });

const TYPES: Readonly<Record<string, Message>> = {
  TypeMeta: { 1: f('apiVersion', 'string'), 2: f('kind', 'string') },
  ObjectMeta: {
    1: f('name', 'string'),
    2: f('generateName', 'string'),
    3: f('namespace', 'string'),
    5: f('uid', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('generation', 'int'),
    8: f('creationTimestamp', 'time'),
    9: f('deletionTimestamp', 'time'),
    10: f('deletionGracePeriodSeconds', 'int', { ptr: true }),
    11: f('labels', 'string', { map: true }),
    12: f('annotations', 'string', { map: true }),
    13: f('ownerReferences', 'OwnerReference', { repeated: true }),
    14: f('finalizers', 'string', { repeated: true }),
  },
  OwnerReference: { 1: f('kind', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: f('controller', 'bool', { ptr: true }), 7: f('blockOwnerDeletion', 'bool', { ptr: true }) },
  LabelSelector: { 1: f('matchLabels', 'string', { map: true }), 2: f('matchExpressions', 'LabelSelectorRequirement', { repeated: true }) },
  LabelSelectorRequirement: { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', { repeated: true }) },
  Deployment: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'DeploymentSpec'), 3: f('status', 'Empty') },
  DeploymentSpec: {
    1: f('replicas', 'int', { ptr: true }),
    2: f('selector', 'LabelSelector'),
    3: f('template', 'PodTemplateSpec'),
    4: f('strategy', 'DeploymentStrategy'),
    5: f('minReadySeconds', 'int'),
    6: f('revisionHistoryLimit', 'int', { ptr: true }),
    7: f('paused', 'bool'),
    9: f('progressDeadlineSeconds', 'int', { ptr: true }),
  },
  DeploymentStrategy: { 1: f('type', 'string'), 2: f('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: f('maxUnavailable', 'intstr'), 2: f('maxSurge', 'intstr') },
  PodTemplateSpec: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'PodSpec') },
  PodSpec: {
    2: f('containers', 'Container', { repeated: true }),
    3: f('restartPolicy', 'string'),
    4: f('terminationGracePeriodSeconds', 'int', { ptr: true }),
    5: f('activeDeadlineSeconds', 'int', { ptr: true }),
    6: f('dnsPolicy', 'string'),
    7: f('nodeSelector', 'string', { map: true }),
    8: f('serviceAccountName', 'string'),
    10: f('nodeName', 'string'),
    11: f('hostNetwork', 'bool'),
    16: f('hostname', 'string'),
    17: f('subdomain', 'string'),
    19: f('schedulerName', 'string'),
    20: f('initContainers', 'Container', { repeated: true }),
    24: f('priorityClassName', 'string'),
    25: f('priority', 'int', { ptr: true }),
  },
  Container: {
    1: f('name', 'string'),
    2: f('image', 'string'),
    3: f('command', 'string', { repeated: true }),
    4: f('args', 'string', { repeated: true }),
    5: f('workingDir', 'string'),
    6: f('ports', 'ContainerPort', { repeated: true }),
    7: f('env', 'EnvVar', { repeated: true }),
    8: f('resources', 'ResourceRequirements'),
    13: f('terminationMessagePath', 'string'),
    14: f('imagePullPolicy', 'string'),
    16: f('stdin', 'bool'),
    17: f('stdinOnce', 'bool'),
    18: f('tty', 'bool'),
    20: f('terminationMessagePolicy', 'string'),
  },
  ContainerPort: { 1: f('name', 'string'), 2: f('hostPort', 'int'), 3: f('containerPort', 'int'), 4: f('protocol', 'string'), 5: f('hostIP', 'string') },
  EnvVar: { 1: f('name', 'string'), 2: f('value', 'string') },
  ResourceRequirements: { 1: f('limits', 'quantity', { map: true }), 2: f('requests', 'quantity', { map: true }) },
  Namespace: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'NamespaceSpec'), 3: f('status', 'Empty') },
  NamespaceSpec: { 1: f('finalizers', 'string', { repeated: true }) },
  ConfigMap: { 1: f('metadata', 'ObjectMeta'), 2: f('data', 'string', { map: true }), 3: f('binaryData', 'bytes', { map: true }), 4: f('immutable', 'bool', { ptr: true }) },
  Secret: { 1: f('metadata', 'ObjectMeta'), 2: f('data', 'bytes', { map: true }), 3: f('type', 'string'), 4: f('stringData', 'string', { map: true }), 5: f('immutable', 'bool', { ptr: true }) },
  DeleteOptions: {
    1: f('gracePeriodSeconds', 'int', { ptr: true }),
    2: f('preconditions', 'Preconditions'),
    3: f('orphanDependents', 'bool', { ptr: true }),
    4: f('propagationPolicy', 'string', { ptr: true }),
    5: f('dryRun', 'string', { repeated: true }),
  },
  Preconditions: { 1: f('uid', 'string', { ptr: true }), 2: f('resourceVersion', 'string', { ptr: true }) },
  // kubectl create service (clusterip, nodeport, loadbalancer, externalname).
  Service: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'ServiceSpec'), 3: f('status', 'Empty') },
  ServiceSpec: {
    1: f('ports', 'ServicePort', { repeated: true }),
    2: f('selector', 'string', { map: true }),
    3: f('clusterIP', 'string'),
    4: f('type', 'string'),
    5: f('externalIPs', 'string', { repeated: true }),
    7: f('sessionAffinity', 'string'),
    8: f('loadBalancerIP', 'string'),
    9: f('loadBalancerSourceRanges', 'string', { repeated: true }),
    10: f('externalName', 'string'),
    11: f('externalTrafficPolicy', 'string'),
    12: f('healthCheckNodePort', 'int'),
    13: f('publishNotReadyAddresses', 'bool'),
    17: f('ipFamilyPolicy', 'string', { ptr: true }),
    18: f('clusterIPs', 'string', { repeated: true }),
    19: f('ipFamilies', 'string', { repeated: true }),
    20: f('allocateLoadBalancerNodePorts', 'bool', { ptr: true }),
    21: f('loadBalancerClass', 'string', { ptr: true }),
    22: f('internalTrafficPolicy', 'string', { ptr: true }),
    23: f('trafficDistribution', 'string', { ptr: true }),
  },
  ServicePort: { 1: f('name', 'string'), 2: f('protocol', 'string'), 3: f('port', 'int'), 4: f('targetPort', 'intstr'), 5: f('nodePort', 'int'), 6: f('appProtocol', 'string', { ptr: true }) },
  // kubectl create job.
  Job: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'JobSpec'), 3: f('status', 'Empty') },
  JobSpec: {
    1: f('parallelism', 'int', { ptr: true }),
    2: f('completions', 'int', { ptr: true }),
    3: f('activeDeadlineSeconds', 'int', { ptr: true }),
    4: f('selector', 'LabelSelector'),
    5: f('manualSelector', 'bool', { ptr: true }),
    6: f('template', 'PodTemplateSpec'),
    7: f('backoffLimit', 'int', { ptr: true }),
    8: f('ttlSecondsAfterFinished', 'int', { ptr: true }),
    9: f('completionMode', 'string', { ptr: true }),
    10: f('suspend', 'bool', { ptr: true }),
    12: f('backoffLimitPerIndex', 'int', { ptr: true }),
    13: f('maxFailedIndexes', 'int', { ptr: true }),
    14: f('podReplacementPolicy', 'string', { ptr: true }),
    15: f('managedBy', 'string', { ptr: true }),
  },
  // kubectl create priorityclass: value is required, so a 0 is kept.
  PriorityClass: {
    1: f('metadata', 'ObjectMeta'),
    2: f('value', 'int', { ptr: true }),
    3: f('globalDefault', 'bool'),
    4: f('description', 'string'),
    5: f('preemptionPolicy', 'string', { ptr: true }),
  },
  // kubectl create poddisruptionbudget: every spec field is a pointer (an empty selector selects all pods; 0 is a budget).
  PodDisruptionBudget: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'PodDisruptionBudgetSpec'), 3: f('status', 'Empty') },
  PodDisruptionBudgetSpec: {
    1: f('minAvailable', 'intstr', { ptr: true }),
    2: f('selector', 'LabelSelector', { ptr: true }),
    3: f('maxUnavailable', 'intstr', { ptr: true }),
    4: f('unhealthyPodEvictionPolicy', 'string', { ptr: true }),
  },
  Empty: {},
};

/** Kinds whose bodies can be decoded (by `kind` of the envelope). */
export const PROTOBUF_KINDS: ReadonlySet<string> = new Set(['Deployment', 'Namespace', 'ConfigMap', 'Secret', 'DeleteOptions', 'Service', 'Job', 'PriorityClass', 'PodDisruptionBudget']);

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new Error('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toSigned64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function decodeMessage(buf: Uint8Array, typeName: string): Record<string, unknown> {
  const schema = TYPES[typeName] ?? {};
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (!r.done) {
    const tag = Number(r.varint());
    const num = tag >>> 3;
    const wire = tag & 7;
    const field = schema[num];
    if (!field) {
      r.skip(wire);
      continue;
    }
    if (field.map) {
      const entry = decodeMapEntry(r.bytes(), field.type);
      const m = (out[field.name] ??= {}) as Record<string, unknown>;
      Object.defineProperty(m, entry.key, { value: entry.value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const value = decodeValue(r, wire, field.type);
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else if (field.ptr || !isZero(value)) out[field.name] = value;
  }
  return out;
}

function decodeMapEntry(buf: Uint8Array, valueType: string): { key: string; value: unknown } {
  const r = new Reader(buf);
  let key = '';
  let value: unknown = valueType === 'string' || valueType === 'quantity' ? '' : null;
  while (!r.done) {
    const tag = Number(r.varint());
    const num = tag >>> 3;
    const wire = tag & 7;
    if (num === 1) key = utf8.decode(r.bytes());
    else if (num === 2) value = decodeValue(r, wire, valueType);
    else r.skip(wire);
  }
  return { key, value };
}

function decodeValue(r: Reader, wire: number, type: string): unknown {
  switch (type) {
    case 'string':
      return utf8.decode(r.bytes());
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'int':
      return toSigned64(r.varint());
    case 'bool':
      return r.varint() !== 0n;
    case 'time': {
      const t = decodeMessage(r.bytes(), 'TimeFields');
      return t;
    }
    case 'intstr': {
      const m = new Reader(r.bytes());
      let kind = 0;
      let intVal = 0;
      let strVal = '';
      while (!m.done) {
        const tag = Number(m.varint());
        const num = tag >>> 3;
        if (num === 1) kind = toSigned64(m.varint());
        else if (num === 2) intVal = toSigned64(m.varint());
        else if (num === 3) strVal = utf8.decode(m.bytes());
        else m.skip(tag & 7);
      }
      return kind === 1 ? strVal : intVal;
    }
    case 'quantity': {
      const m = new Reader(r.bytes());
      let s = '';
      while (!m.done) {
        const tag = Number(m.varint());
        if (tag >>> 3 === 1) s = utf8.decode(m.bytes());
        else m.skip(tag & 7);
      }
      return s;
    }
    default:
      if (wire !== 2) throw new Error(`field of type ${type} must be length-delimited`);
      return decodeMessage(r.bytes(), type);
  }
}

function isZero(v: unknown): boolean {
  if (v === '' || v === 0 || v === false || v === null) return true;
  // Empty messages (zero Time, empty status) are dropped; decode() fixes up Time separately.
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** metav1.Time {1: seconds, 2: nanos} -> RFC 3339; a zero time disappears. */
function fixTimes(obj: Record<string, unknown>): void {
  const meta = obj.metadata as Record<string, unknown> | undefined;
  for (const m of [meta, ((obj.spec as Record<string, unknown> | undefined)?.template as Record<string, unknown> | undefined)?.metadata as Record<string, unknown> | undefined]) {
    if (!m) continue;
    for (const k of ['creationTimestamp', 'deletionTimestamp']) {
      const t = m[k] as { seconds?: number } | undefined;
      if (t === undefined) continue;
      if (!t.seconds) delete m[k];
      else m[k] = new Date(t.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
  }
}

(TYPES as Record<string, Message>).TimeFields = { 1: f('seconds', 'int'), 2: f('nanos', 'int') };

export type ProtobufResult = { ok: true; object: Record<string, unknown> } | { ok: false; unsupported: boolean; error: string };

/** Decodes a `k8s\0` + runtime.Unknown body into a JSON object. */
export function decodeProtobuf(body: Uint8Array): ProtobufResult {
  if (body.length < 4 || !PROTOBUF_MAGIC.equals(body.subarray(0, 4))) return { ok: false, unsupported: false, error: 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]' };
  try {
    const r = new Reader(body.subarray(4));
    let apiVersion = '';
    let kind = '';
    let raw: Uint8Array = new Uint8Array();
    while (!r.done) {
      const tag = Number(r.varint());
      const num = tag >>> 3;
      const wire = tag & 7;
      if (num === 1) {
        const tm = decodeMessage(r.bytes(), 'TypeMeta');
        apiVersion = (tm.apiVersion as string) ?? '';
        kind = (tm.kind as string) ?? '';
      } else if (num === 2) raw = r.bytes();
      else r.skip(wire);
    }
    if (!PROTOBUF_KINDS.has(kind)) return { ok: false, unsupported: true, error: `protobuf bodies of kind ${JSON.stringify(kind)} are not supported; send JSON` };
    const obj = decodeMessage(raw, kind);
    fixTimes(obj);
    return { ok: true, object: { apiVersion, kind, ...obj } };
  } catch (err) {
    return { ok: false, unsupported: false, error: `unable to decode protobuf body: ${(err as Error).message}` };
  }
}
