// Property tests on random clusters and pods: the fast scheduler agrees with
// the reference (feasible sets and chosen nodes), and placements keep
// Kubernetes' invariants.
import test from 'ava';
import fc from 'fast-check';
import type { Node } from '../../lib/api/types/core.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { Scheduler } from '../../actors/scheduler/scheduler.js';
import { ReferenceScheduler } from '../../actors/scheduler/reference.js';
import { DEFAULT_PROFILE, type Profile } from '../../actors/scheduler/framework.js';
import { node, pod } from './helpers.js';

const nodeArb = fc.record({
  cpu: fc.constantFrom('1', '2', '4'),
  memory: fc.constantFrom('2Gi', '4Gi'),
  pods: fc.constantFrom(3, 110),
  zone: fc.constantFrom('z1', 'z2', 'z3', undefined),
  ssd: fc.boolean(),
  taint: fc.constantFrom(undefined, 'gpu', 'prefer'),
  image: fc.boolean(),
});

const podArb = fc.record({
  cpu: fc.constantFrom('100m', '500m', '1', '2', undefined),
  memory: fc.constantFrom('128Mi', '1Gi', undefined),
  app: fc.constantFrom('a', 'b'),
  ssd: fc.boolean(),
  tolerate: fc.boolean(),
  anti: fc.boolean(),
  spread: fc.constantFrom(undefined, 'hard', 'soft'),
  preferred: fc.boolean(),
  port: fc.boolean(),
  affinity: fc.boolean(),
});

type N = typeof nodeArb extends fc.Arbitrary<infer T> ? T : never;
type P = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

function mkNode(i: number, n: N): Node {
  const labels: Record<string, string> = {};
  if (n.zone) labels['zone'] = n.zone;
  if (n.ssd) labels['disk'] = 'ssd';
  return node(`node-${i}`, {
    cpu: n.cpu, memory: n.memory, pods: n.pods, labels,
    taints: n.taint === 'gpu' ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] : n.taint === 'prefer' ? [{ key: 'spot', effect: 'PreferNoSchedule' }] : undefined,
    images: n.image ? [{ names: ['app:1'], sizeBytes: 300 * 1024 * 1024 }] : undefined,
  });
}

function mkPod(i: number, p: P): Pod {
  const sel = { matchLabels: { app: p.app } };
  return pod(`pod-${i}`, {
    cpu: p.cpu, memory: p.memory, labels: { app: p.app },
    nodeSelector: p.ssd ? { disk: 'ssd' } : undefined,
    tolerations: p.tolerate ? [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] : undefined,
    hostPort: p.port ? 9000 : undefined,
    affinity: {
      podAntiAffinity: p.anti ? { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: sel }] } : undefined,
      podAffinity: p.affinity ? { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'a' } } } }] } : undefined,
      nodeAffinity: p.preferred ? { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } }] } : undefined,
    },
    topologySpreadConstraints: p.spread ? [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: p.spread === 'hard' ? 'DoNotSchedule' : 'ScheduleAnyway', labelSelector: sel }] : undefined,
  });
}

const profiles: Profile[] = [
  DEFAULT_PROFILE,
  { ...DEFAULT_PROFILE, name: 'binpack', args: { NodeResourcesFit: { scoringStrategy: { type: 'MostAllocated' } } } },
  { ...DEFAULT_PROFILE, name: 'rtcr', args: { NodeResourcesFit: { scoringStrategy: { type: 'RequestedToCapacityRatio', shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } } },
];

test('fast and reference agree on feasible sets and chosen nodes; invariants hold', (t) => {
  let placed = 0;
  fc.assert(
    fc.property(fc.array(nodeArb, { minLength: 1, maxLength: 10 }), fc.array(podArb, { minLength: 1, maxLength: 25 }), fc.nat(2), fc.nat(1000), (ns, ps, pi, seed) => {
      const profile = profiles[pi]!;
      const fast = new Scheduler({ profile, seed, now: () => 0 });
      const ref = new ReferenceScheduler(profile, seed);
      const nodes = ns.map((n, i) => mkNode(i, n));
      for (const n of nodes) { fast.addNode(n); ref.addNode(n); }
      for (let i = 0; i < ps.length; i++) {
        const p = mkPod(i, ps[i]!);
        const r = ref.scheduleAndAssume(p);
        t.deepEqual(fast.feasibleNodes(p), [...r.feasible], `feasible, pod ${i}`);
        fast.addPod(p);
        const d = fast.scheduleBatch();
        const got = d.bindings[0]?.node;
        if (got !== r.node) return false;
        if (!got) t.is(String(d.failures[0]?.condition.message.split(' preemption:')[0]), String(r.message));
        else placed++;
      }
      // Invariants, on the reference's (identical) placement.
      for (const n of ref.nodes.values()) {
        for (const res of ['cpu', 'memory']) {
          const used = n.pods.reduce((a, p) => a + (p.shape.requests.get(res) ?? 0), 0);
          if (used > (n.alloc.get(res) ?? 0)) return false;
        }
        if (n.pods.length > (n.alloc.get('pods') ?? 110)) return false;
        for (const p of n.pods) {
          for (const taint of n.node.spec?.taints ?? []) if (taint.effect === 'NoSchedule' && !(p.pod.spec?.tolerations ?? []).some((x) => x.key === taint.key)) return false;
          if (p.shape.reqAnti.length > 0 && n.pods.some((o) => o !== p && o.labels['app'] === p.labels['app'])) return false;
        }
      }
      return true;
    }),
    { numRuns: 150, seed: 42 },
  );
  t.true(placed > 500, `placed ${placed}`);
});

// Pods that differ only in what node-local plugins do not read share the fast
// scheduler's per-node caches and score trees; anti-affinity over a topology
// with one node per domain is folded into them, and hard spread limits the
// tree search to the allowed domains. Racks here are sometimes unique per node
// (folded) and sometimes shared (not), some nodes lack them, and pods are
// deleted now and then (counts go down as well as up).
const rackNodeArb = fc.record({ rack: fc.option(fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8')), zone: fc.constantFrom('z1', 'z2', 'z3'), cpu: fc.constantFrom('1', '4') });
const rackPodArb = fc.record({
  app: fc.constantFrom('a', 'b', 'c'),
  cpu: fc.constantFrom('100m', '300m'),
  anti: fc.constantFrom(undefined, 'rack', 'zone'),
  spread: fc.constantFrom(undefined, 'rack', 'zone'),
  remove: fc.nat(9),
});

test('shared trees, folded anti-affinity and domain-limited search agree with the reference', (t) => {
  let placed = 0;
  fc.assert(
    fc.property(fc.array(rackNodeArb, { minLength: 1, maxLength: 12 }), fc.array(rackPodArb, { minLength: 1, maxLength: 30 }), fc.nat(1000), (ns, ps, seed) => {
      const fast = new Scheduler({ seed, now: () => 0 });
      const ref = new ReferenceScheduler(DEFAULT_PROFILE, seed);
      ns.forEach((n, i) => {
        const labels: Record<string, string> = { zone: n.zone };
        if (n.rack) labels['rack'] = n.rack;
        const nd = node(`node-${i}`, { cpu: n.cpu, memory: '8Gi', labels });
        fast.addNode(nd);
        ref.addNode(nd);
      });
      const bound: Pod[] = [];
      for (let i = 0; i < ps.length; i++) {
        const q = ps[i]!;
        const sel = { matchLabels: { app: q.app } };
        const p = pod(`pod-${i}`, {
          cpu: q.cpu, labels: { app: q.app },
          affinity: q.anti ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: q.anti, labelSelector: sel }] } } : undefined,
          topologySpreadConstraints: q.spread ? [{ maxSkew: 1, topologyKey: q.spread, whenUnsatisfiable: 'DoNotSchedule', labelSelector: sel }] : undefined,
        });
        const r = ref.scheduleAndAssume(p);
        t.deepEqual(fast.feasibleNodes(p), [...r.feasible], `feasible, pod ${i}`);
        fast.addPod(p);
        const got = fast.scheduleBatch().bindings[0]?.node;
        if (got !== r.node) return false;
        if (got) { placed++; bound.push(p); }
        // Now and then a bound pod goes away.
        if (q.remove === 0 && bound.length > 0) {
          const gone = bound.splice(i % bound.length, 1)[0]!;
          const key = `default/${gone.metadata.name}`;
          fast.deletePod(key);
          ref.removePod(key);
        }
      }
      return true;
    }),
    { numRuns: 150, seed: 11 },
  );
  t.true(placed > 500, `placed ${placed}`);
});

test('hard zone spread never exceeds maxSkew among zones', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 1, max: 30 }), (nn, np) => {
      const s = new Scheduler({ now: () => 0 });
      for (let i = 0; i < nn; i++) s.addNode(node(`n${i}`, { labels: { zone: `z${i % 3}` }, cpu: '64', memory: '64Gi' }));
      for (let i = 0; i < np; i++) {
        s.addPod(pod(`p${i}`, { cpu: '100m', labels: { app: 's' }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 's' } } }] }));
      }
      const d = s.scheduleBatch();
      const perZone = new Map<string, number>();
      for (const b of d.bindings) { const z = `z${Number(b.node.slice(1)) % 3}`; perZone.set(z, (perZone.get(z) ?? 0) + 1); }
      const counts = ['z0', 'z1', 'z2'].map((z) => perZone.get(z) ?? 0);
      return d.bindings.length === np && Math.max(...counts) - Math.min(...counts) <= 1;
    }),
    { numRuns: 100, seed: 7 },
  );
  t.pass();
});

test('preemption evicts only lower-priority pods, and then the preemptor fits', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 120 }), (prios, preemptorPrio) => {
      const s = new Scheduler({ now: () => 0 });
      s.addNode(node('a', { cpu: '2' }));
      s.addNode(node('b', { cpu: '2' }));
      prios.forEach((pr, i) => s.addPod({ ...pod(`low-${i}`, { cpu: '500m', priority: pr }), spec: { ...pod(`low-${i}`, { cpu: '500m', priority: pr }).spec!, nodeName: i % 2 ? 'a' : 'b' } }));
      const big = pod('big', { cpu: '2', priority: preemptorPrio });
      s.addPod(big);
      const d = s.scheduleBatch();
      if (d.bindings.length === 1) return true; // fitted without preemption
      const pre = d.preemptions[0];
      if (!pre) {
        // Nothing to gain: every node holds a pod of equal or higher priority that must go.
        return ['a', 'b'].every((n) => prios.some((pr, i) => (i % 2 ? 'a' : 'b') === n && pr >= preemptorPrio));
      }
      for (const v of pre.victims) if (prios[Number(v.name.split('-')[1])]! >= preemptorPrio) return false;
      // The preemptor is retried after back-off and now fits on the nominated node.
      s.queue.flush();
      return s.feasibleNodes(big).includes(pre.node);
    }),
    { numRuns: 100, seed: 3 },
  );
  t.pass();
});

test('an unschedulable pod is retried when a node that fits appears', (t) => {
  let now = 0;
  const s = new Scheduler({ now: () => now });
  s.addNode(node('small', { cpu: '1' }));
  s.addPod(pod('p', { cpu: '3' }));
  let d = s.scheduleBatch();
  t.is(d.failures.length, 1);
  t.is(s.queue.parkedCount, 1);
  s.addNode(node('big', { cpu: '8' }));
  t.is(s.queue.parkedCount, 0, 'NodeAdd moved the pod out of the unschedulable set');
  d = s.scheduleBatch();
  t.is(d.bindings.length, 0, 'still backing off (1 s)');
  now = 1_000;
  d = s.scheduleBatch();
  t.deepEqual(d.bindings.map((b) => b.node), ['big']);
});

// Nominated pods (kube's addNominatedPods): pods of lower or equal priority are
// filtered as if every pod nominated to a node ran there; the nominee itself
// and pods of higher priority do not see it. Fast and reference must agree.
test('with nominated pods, fast and reference agree on feasible sets and chosen nodes', (t) => {
  let placed = 0;
  let held = 0;
  const nomArb = fc.record({ node: fc.nat(9), priority: fc.constantFrom(0, 5, 10), cpu: fc.constantFrom('500m', '1', '2'), anti: fc.boolean() });
  fc.assert(
    fc.property(fc.array(nodeArb, { minLength: 1, maxLength: 10 }), fc.array(podArb, { minLength: 1, maxLength: 20 }), fc.array(nomArb, { maxLength: 4 }),
      fc.array(fc.constantFrom(0, 5, 10), { minLength: 20, maxLength: 20 }), fc.nat(1000), (ns, ps, noms, prios, seed) => {
        const fast = new Scheduler({ seed, now: () => 0 });
        const ref = new ReferenceScheduler(DEFAULT_PROFILE, seed);
        const nodes = ns.map((n, i) => mkNode(i, n));
        for (const n of nodes) { fast.addNode(n); ref.addNode(n); }
        noms.forEach((m, i) => {
          const sel = { matchLabels: { app: 'a' } };
          const nominee = pod(`nominee-${i}`, {
            cpu: m.cpu, priority: m.priority, labels: { app: 'a' },
            affinity: m.anti ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: sel }] } } : undefined,
          });
          const target = `node-${m.node % nodes.length}`;
          fast.nominate(nominee, target);
          ref.nominate(nominee, target);
        });
        for (let i = 0; i < ps.length; i++) {
          const base = mkPod(i, ps[i]!);
          const p: Pod = { ...base, spec: { ...base.spec!, priority: prios[i]! } };
          const r = ref.scheduleAndAssume(p);
          t.deepEqual(fast.feasibleNodes(p), [...r.feasible], `feasible, pod ${i}`);
          fast.addPod(p);
          const d = fast.scheduleBatch();
          const got = d.bindings[0]?.node;
          if (got !== r.node) return false;
          if (got) placed++;
          else if (d.preemptions.length > 0) {
            // The fast scheduler preempted (the reference does not): the preemptor is now a nominee too.
            ref.nominate(p, d.preemptions[0]!.node);
            for (const v of d.preemptions[0]!.victims) ref.removePod(v.key);
            held++;
          }
        }
        return true;
      }),
    { numRuns: 150, seed: 5 },
  );
  t.true(placed > 300, `placed ${placed}`);
  t.log(`placed ${placed}, preemptions ${held}`);
});
