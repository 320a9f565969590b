/**
 * Pod resource requests as exact integers (cpu in millicores, everything else
 * in whole units: bytes, pods, devices), computed the way kube-scheduler's
 * resource.PodRequests does: containers summed, restartable init containers
 * (sidecars) added to them, each regular init container taken with the
 * sidecars started before it, the maximum of the two, then overhead added.
 * Non-zero requests (for scoring) use 100m cpu and 200Mi memory for a
 * container that asks for none (schedutil.GetNonzeroRequests).
 */
import { milliValue, parseQuantity, value } from '../../lib/api/quantity.js';
import type { Container, Pod, ResourceList } from '../../lib/api/types/pod.js';

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const parsed = new Map<string, number>();

/** One quantity as a number: millicores for cpu, whole units otherwise (rounded up, like Go's Value()). */
export function quantityNumber(resource: string, q: string | number): number {
  const key = resource === 'cpu' ? `m${q}` : `v${q}`;
  let v = parsed.get(key);
  if (v === undefined) {
    const r = parseQuantity(q);
    v = r.ok ? Number(resource === 'cpu' ? milliValue(r.quantity) : value(r.quantity)) : 0;
    if (parsed.size > 100_000) parsed.clear();
    parsed.set(key, v);
  }
  return v;
}

export interface PodRequests {
  /** Resource name -> amount (cpu in milli). `pods` is not included (always 1). */
  readonly requests: ReadonlyMap<string, number>;
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
}

function addList(into: Map<string, number>, list: ResourceList | undefined): void {
  if (!list) return;
  for (const name of Object.keys(list)) into.set(name, (into.get(name) ?? 0) + quantityNumber(name, list[name]!));
}

function maxInto(into: Map<string, number>, other: ReadonlyMap<string, number>): void {
  for (const [k, v] of other) if (v > (into.get(k) ?? 0)) into.set(k, v);
}

function nonZero(c: Container): [number, number] {
  const r = c.resources?.requests;
  const cpu = r && r['cpu'] !== undefined ? quantityNumber('cpu', r['cpu']) : DEFAULT_MILLI_CPU_REQUEST;
  const mem = r && r['memory'] !== undefined ? quantityNumber('memory', r['memory']) : DEFAULT_MEMORY_REQUEST;
  return [cpu, mem];
}

export function podRequests(pod: Pod): PodRequests {
  const spec = pod.spec;
  const sum = new Map<string, number>();
  let nzCpu = 0;
  let nzMem = 0;
  for (const c of spec?.containers ?? []) {
    addList(sum, c.resources?.requests);
    const [a, b] = nonZero(c);
    nzCpu += a;
    nzMem += b;
  }
  const sidecars = new Map<string, number>();
  const initMax = new Map<string, number>();
  let sideCpu = 0;
  let sideMem = 0;
  let initCpu = 0;
  let initMem = 0;
  for (const c of spec?.initContainers ?? []) {
    const [a, b] = nonZero(c);
    if (c.restartPolicy === 'Always') {
      addList(sidecars, c.resources?.requests);
      sideCpu += a;
      sideMem += b;
      maxInto(initMax, sidecars);
      initCpu = Math.max(initCpu, sideCpu);
      initMem = Math.max(initMem, sideMem);
    } else {
      const one = new Map(sidecars);
      addList(one, c.resources?.requests);
      maxInto(initMax, one);
      initCpu = Math.max(initCpu, sideCpu + a);
      initMem = Math.max(initMem, sideMem + b);
    }
  }
  for (const [k, v] of sidecars) sum.set(k, (sum.get(k) ?? 0) + v);
  maxInto(sum, initMax);
  nzCpu = Math.max(nzCpu + sideCpu, initCpu);
  nzMem = Math.max(nzMem + sideMem, initMem);
  const overhead = spec?.overhead;
  if (overhead) {
    addList(sum, overhead);
    if (overhead['cpu'] !== undefined) nzCpu += quantityNumber('cpu', overhead['cpu']);
    if (overhead['memory'] !== undefined) nzMem += quantityNumber('memory', overhead['memory']);
  }
  sum.delete('pods');
  for (const [k, v] of sum) if (v === 0) sum.delete(k);
  return { requests: sum, nonZeroCpu: nzCpu, nonZeroMemory: nzMem };
}

/** A node's allocatable list as numbers (falls back to capacity, as the kubelet reports both). */
export function nodeAllocatable(list: ResourceList | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!list) return out;
  for (const name of Object.keys(list)) out.set(name, quantityNumber(name, list[name]!));
  return out;
}
