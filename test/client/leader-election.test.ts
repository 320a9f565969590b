/** Leader election on a Lease (client-go semantics) over the fake API and a hand-moved clock. */
import test from 'ava';
import { leases } from '../../lib/api/resources/index.js';
import { ApiError } from '../../lib/client/errors.js';
import { LeaderElector, type LeaderElectionConfig } from '../../lib/client/leader-election.js';
import { EPOCH, FakeApi, fixture, settle } from '../controller-manager/fixture.js';

interface Candidate {
  readonly elector: LeaderElector;
  /** Leading intervals as [start, end] in ms since the test's start (end Infinity while leading). */
  readonly terms: [number, number][];
}

function candidate(api: FakeApi, identity: string, extra: Partial<LeaderElectionConfig> = {}): Candidate {
  const terms: [number, number][] = [];
  const t0 = api.clock.now();
  const elector = new LeaderElector({
    client: api,
    clock: api.clock,
    name: 'kube-controller-manager',
    identity,
    onStartedLeading: () => terms.push([api.clock.now() - t0, Infinity]),
    onStoppedLeading: () => (terms[terms.length - 1]![1] = api.clock.now() - t0),
    ...extra,
  });
  return { elector, terms };
}

/** Move the fake clock in small steps, letting the API's promises settle after each. */
async function run(api: FakeApi, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    api.clock.advance(step);
    await settle();
  }
}

const lease = (api: FakeApi) => api.peek(leases, 'kube-system', 'kube-controller-manager');

test('one candidate creates the Lease in kube-system at once and renews it every retryPeriod', async (t) => {
  const { api } = fixture();
  const a = candidate(api, 'a');
  a.elector.start();
  await run(api, 100);
  t.true(a.elector.isLeader);
  t.is(a.terms.length, 1);
  t.true(a.terms[0]![0] <= 100 && a.terms[0]![1] === Infinity);
  const l = lease(api)!;
  t.like(l.spec, { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
  t.is(l.spec!.acquireTime, l.spec!.renewTime);
  t.regex(l.spec!.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const first = Date.parse(l.spec!.renewTime!);
  await run(api, 10_000);
  const later = lease(api)!;
  const moved = Date.parse(later.spec!.renewTime!) - first;
  t.true(moved >= 10_000 && moved <= 10_100, `renewed every 2 s (moved ${moved} ms)`);
  t.is(later.spec!.acquireTime, l.spec!.acquireTime, 'acquireTime kept while renewing');
  t.is(a.elector.stats().renewals, 5);
  t.is(api.actions.filter((x) => x.verb === 'update').length, 5, 'each renewal one update');
});

test('of two candidates only one leads; the other takes over after a clean stop releases the Lease', async (t) => {
  const { api } = fixture();
  const a = candidate(api, 'a');
  const b = candidate(api, 'b');
  a.elector.start();
  b.elector.start();
  await run(api, 60_000);
  const leaders = [a, b].filter((c) => c.terms.length > 0);
  t.is(leaders.length, 1, 'exactly one led');
  const [leader, other] = leaders[0] === a ? [a, b] : [b, a];
  t.is(leader.terms.length, 1);
  t.true(leader.terms[0]![0] <= 100 && leader.terms[0]![1] === Infinity, 'from the start, for good');
  t.true(other.elector.stats().attempts > 10, 'the other kept trying');
  t.is(other.elector.stats().holder, leader.elector.identity);
  await leader.elector.stop();
  t.deepEqual(lease(api)!.spec?.holderIdentity, undefined, 'released: no holder');
  t.is(lease(api)!.spec?.leaseDurationSeconds, 1);
  await run(api, 5_000);
  t.true(other.elector.isLeader, 'taken within retryPeriod x 2.2 of the release');
  t.true(other.terms[0]![0] - 60_000 <= 2_000 * 2.2 + 100);
  t.like(lease(api)!.spec, { holderIdentity: other.elector.identity, leaseTransitions: 1, leaseDurationSeconds: 15 });
});

test('a holder that vanishes without releasing is replaced only after the lease duration, never before', async (t) => {
  const { api } = fixture();
  const a = candidate(api, 'a', { releaseOnStop: false });
  const b = candidate(api, 'b');
  a.elector.start();
  await run(api, 100);
  b.elector.start();
  await run(api, 10_000);
  t.true(a.elector.isLeader);
  t.false(b.elector.isLeader);
  const lastRenew = Date.parse(lease(api)!.spec!.renewTime!);
  await a.elector.stop(); // gone, Lease left as it was (a crash)
  t.is(lease(api)!.spec!.holderIdentity, 'a');
  await run(api, 30_000);
  t.true(b.elector.isLeader);
  const took = EPOCH + b.terms[0]![0] - lastRenew;
  t.true(took >= 15_000, `not before the 15 s lease duration (took ${took} ms)`);
  t.true(took <= 15_000 + 2 * 2_000 * 2.2 + 200, `soon after it (took ${took} ms)`);
  t.like(lease(api)!.spec, { holderIdentity: 'b', leaseTransitions: 1 });
});

test('a leader that cannot renew stops leading after renewDeadline, before anyone else may take the Lease', async (t) => {
  const { api } = fixture();
  const a = candidate(api, 'a');
  a.elector.start();
  await run(api, 4_000);
  t.true(a.elector.isLeader);
  const lastRenew = Date.parse(lease(api)!.spec!.renewTime!);
  let failing = true;
  api.fail = (x) => (failing && x.resource === 'leases' ? new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 503, reason: 'ServiceUnavailable', message: 'etcd down' }) : undefined);
  await run(api, 12_000);
  t.false(a.elector.isLeader);
  const stoppedAt = EPOCH + a.terms[0]![1];
  t.true(stoppedAt - lastRenew <= 10_000 + 100, 'stopped within the 10 s renew deadline');
  t.true(stoppedAt - lastRenew < 15_000, 'before the 15 s others wait');
  failing = false;
  await run(api, 5_000);
  t.true(a.elector.isLeader, 'a candidate again: re-acquires its own Lease');
  t.is(a.terms.length, 2);
  t.is(lease(api)!.spec!.leaseTransitions, 0, 'the same holder again: no transition (as client-go)');
});

test('a leader that reads another holder in the Lease stops leading at its next renewal', async (t) => {
  const { api } = fixture();
  const a = candidate(api, 'a');
  a.elector.start();
  await run(api, 1_000);
  const cur = lease(api)!;
  await api.update(leases, { ...cur, spec: { ...cur.spec, holderIdentity: 'intruder', renewTime: cur.spec!.renewTime } }, { namespace: 'kube-system' });
  await run(api, 2_000);
  t.false(a.elector.isLeader);
  t.true(a.terms[0]![1] <= 3_000);
  t.is(a.elector.stats().holder, 'intruder');
  t.is(a.elector.stats().losses, 1);
});

test('settings are checked as client-go checks them', (t) => {
  const { api } = fixture();
  t.throws(() => candidate(api, ''), { message: /identity must not be empty/ });
  t.throws(() => candidate(api, 'a', { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), { message: /leaseDuration .* must be greater than renewDeadline/ });
  t.throws(() => candidate(api, 'a', { renewDeadlineMs: 4_000, retryPeriodMs: 4_000 }), { message: /renewDeadline .* must be greater than 1.2 x retryPeriod/ });
});
