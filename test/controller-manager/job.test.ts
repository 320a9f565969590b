/** The Job and TTL-after-finished controllers, through the fixture: preload, reconcile(key), check the API calls. */
import test from 'ava';
import { jobs, pods } from '../../lib/api/resources/index.js';
import type { Job, JobSpec } from '../../lib/api/types/cluster.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { JobController } from '../../actors/controller-manager/job.js';
import { TtlAfterFinishedController } from '../../actors/controller-manager/job-ttl.js';
import { formatIndexes } from '../../actors/controller-manager/job-util.js';
import { timestamp } from '../../actors/controller-manager/objects.js';
import { ApiError } from '../../lib/client/errors.js';
import { EPOCH, fixture, settle } from './fixture.js';
import { runUntil, startNodeCluster } from '../node/cluster.js';
import { ownerRef, pod } from './objects.js';

const UID = 'uid-pi';
const LABELS = { 'batch.kubernetes.io/controller-uid': UID, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': UID, 'job-name': 'pi' };

/** A Job as the api-server stores it: selector generated from its uid, template labelled to match. */
function job(spec: Partial<JobSpec> = {}, status: Job['status'] = undefined): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: UID, generation: 1 },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
      template: { metadata: { labels: LABELS }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5' }] } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

const JOB_OWNER = { ...ownerRef('Job', 'pi', UID), apiVersion: 'batch/v1' };

function jobPod(name: string, phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed', extra: { finishedAt?: number; index?: number; restarts?: number; ready?: boolean } = {}): Pod {
  const p = pod(name, { labels: LABELS, owner: JOB_OWNER, phase, ready: extra.ready, restarts: extra.restarts });
  p.metadata.uid = `uid-${name}`;
  p.metadata.finalizers = ['batch.kubernetes.io/job-tracking'];
  if (extra.finishedAt !== undefined) {
    p.status!.containerStatuses = [{ name: 'pi', ready: false, restartCount: 0, image: 'perl:5', imageID: '', state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: timestamp(extra.finishedAt) } } }];
  }
  if (extra.index !== undefined) p.metadata.annotations = { 'batch.kubernetes.io/job-completion-index': String(extra.index) };
  return p;
}

async function setup(j: Job, ...ps: Pod[]) {
  const fx = fixture();
  fx.api.seed(jobs, j);
  if (ps.length > 0) fx.api.seed(pods, ...ps);
  const c = new JobController(fx);
  await fx.sync();
  return { fx, c, status: () => fx.api.peek(jobs, 'default', 'pi')!.status! };
}

const created = (fx: ReturnType<typeof fixture>) => fx.api.actions.filter((a) => a.verb === 'create' && a.resource === 'pods').map((a) => a.object as Pod);
const reasons = (fx: ReturnType<typeof fixture>) => fx.api.all({ group: '', version: 'v1', plural: 'events', namespaced: true }).map((e) => (e as { reason?: string }).reason);

test('creates min(parallelism, completions) pods from the template, owned by the Job, and records startTime', async (t) => {
  const { fx, c, status } = await setup(job({ parallelism: 2, completions: 5 }));
  await c.reconcile('default/pi');
  await fx.recorder.flush();
  const ps = created(fx);
  t.is(ps.length, 2);
  for (const p of ps) {
    t.is(p.metadata.generateName, 'pi-');
    t.deepEqual(p.metadata.labels, LABELS, 'job-name and controller-uid labels from the template');
    t.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: UID, controller: true, blockOwnerDeletion: true }]);
    t.is(p.spec?.restartPolicy, 'Never');
    t.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
  }
  t.deepEqual(reasons(fx), ['SuccessfulCreate', 'SuccessfulCreate']);
  t.is(status().startTime, timestamp(EPOCH));
  await settle();
  await c.reconcile('default/pi');
  t.is(created(fx).length, 2, 'the informer saw them: nothing more to create');
  t.like(status(), { active: 2, succeeded: 0, failed: 0, ready: 0 });
});

test('counts successes toward completions: fewer pods near the end, then SuccessCriteriaMet and Complete', async (t) => {
  const done = [1, 2, 3, 4].map((i) => jobPod(`pi-s${i}`, 'Succeeded', { finishedAt: EPOCH }));
  const { fx, c, status } = await setup(job({ parallelism: 2, completions: 5 }, { startTime: timestamp(EPOCH - 60_000) }), ...done, jobPod('pi-r1', 'Running', { ready: true }));
  await c.reconcile('default/pi');
  t.is(created(fx).length, 0, 'completions - succeeded = 1 pod wanted, 1 running');
  t.like(status(), { active: 1, succeeded: 4, ready: 1 });
  t.falsy(status().conditions);
  // The last pod succeeds.
  const last = fx.api.peek(pods, 'default', 'pi-r1')!;
  await fx.api.updateStatus(pods, { ...last, status: { phase: 'Succeeded' } });
  fx.clock.advance(3_000);
  await settle();
  await c.reconcile('default/pi');
  await fx.recorder.flush();
  const s = status();
  t.like(s, { active: 0, succeeded: 5, failed: 0 });
  t.deepEqual(s.conditions?.map((x) => [x.type, x.status, x.reason]), [['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);
  t.is(s.completionTime, timestamp(EPOCH + 3_000));
  t.true(reasons(fx).includes('Completed'));
  fx.api.actions.length = 0;
  await c.reconcile('default/pi');
  t.deepEqual(fx.api.writes(), [], 'a finished Job is left alone');
});

test('past backoffLimit: FailureTarget, running pods deleted, then Failed with BackoffLimitExceeded', async (t) => {
  const failed = [1, 2, 3].map((i) => jobPod(`pi-f${i}`, 'Failed', { finishedAt: EPOCH - 1_000 }));
  const { fx, c, status } = await setup(job({ parallelism: 2, completions: 4, backoffLimit: 2 }, { startTime: timestamp(EPOCH - 60_000) }), ...failed, jobPod('pi-r1', 'Running'));
  await c.reconcile('default/pi');
  t.deepEqual(fx.api.writes((a) => a.resource === 'pods' && a.verb === 'delete'), ['delete pods pi-r1']);
  let s = status();
  t.deepEqual(s.conditions?.map((x) => [x.type, x.reason, x.message]), [['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']]);
  t.like(s, { failed: 3, active: 0 });
  await settle();
  await c.reconcile('default/pi');
  t.deepEqual(status().conditions?.map((x) => x.type), ['FailureTarget'], 'the killed pod is still terminating');
  t.is(status().failed, 4, 'a pod deleted before it succeeded counts as failed (its finalizer goes)');
  await settle();
  await c.reconcile('default/pi');
  await fx.recorder.flush();
  s = status();
  t.deepEqual(s.conditions?.map((x) => x.type), ['FailureTarget', 'Failed']);
  t.like(s.conditions![1], { status: 'True', reason: 'BackoffLimitExceeded' });
  t.falsy(s.completionTime);
  t.true(reasons(fx).includes('BackoffLimitExceeded'));
});

test('a failed pod is replaced only after the failure back-off (10 s, doubling per failure)', async (t) => {
  const { fx, c } = await setup(job({ backoffLimit: 6 }, { startTime: timestamp(EPOCH - 60_000) }), jobPod('pi-f1', 'Failed', { finishedAt: EPOCH - 4_000 }), jobPod('pi-f2', 'Failed', { finishedAt: EPOCH - 4_000 }));
  await c.reconcile('default/pi');
  t.is(created(fx).length, 0, 'two failures: 20 s back-off, 4 s gone');
  t.is(c.queue.delayed, 1, 'requeued for when the back-off ends');
  fx.clock.advance(15_000);
  await c.reconcile('default/pi');
  t.is(created(fx).length, 0);
  fx.clock.advance(1_000);
  await c.reconcile('default/pi');
  t.is(created(fx).length, 1, '20 s after the last failure');
});

test('activeDeadlineSeconds: DeadlineExceeded once the Job ran that long', async (t) => {
  const { fx, c, status } = await setup(job({ activeDeadlineSeconds: 30 }, { startTime: timestamp(EPOCH) }), jobPod('pi-r1', 'Running'));
  await c.reconcile('default/pi');
  t.falsy(status().conditions);
  t.is(c.queue.delayed, 1, 'woken at the deadline');
  fx.clock.advance(30_000);
  await c.reconcile('default/pi');
  t.deepEqual(fx.api.writes((a) => a.resource === 'pods'), ['delete pods pi-r1']);
  await settle();
  // The deleted pod is terminating: counted as failed, its finalizer removed; Failed once it is gone.
  await settle();
  await c.reconcile('default/pi');
  await settle();
  await c.reconcile('default/pi');
  t.deepEqual(status().conditions?.map((x) => [x.type, x.reason, x.message]), [
    ['FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
    ['Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline'],
  ]);
});

test('restartPolicy OnFailure: container restarts count against backoffLimit', async (t) => {
  const j = job({ backoffLimit: 2 }, { startTime: timestamp(EPOCH) });
  j.spec!.template.spec!.restartPolicy = 'OnFailure';
  const { status, c } = await setup(j, jobPod('pi-r1', 'Running', { restarts: 2 }));
  await c.reconcile('default/pi');
  t.is(status().conditions?.[0]?.reason, 'BackoffLimitExceeded');
});

test('Indexed: one pod per index with the completion-index annotation and hostname; completedIndexes', async (t) => {
  const { fx, c, status } = await setup(job({ completionMode: 'Indexed', completions: 4, parallelism: 4 }, { startTime: timestamp(EPOCH) }), jobPod('pi-1-aaaaa', 'Succeeded', { index: 1, finishedAt: EPOCH }), jobPod('pi-2-bbbbb', 'Running', { index: 2 }));
  await c.reconcile('default/pi');
  const ps = created(fx);
  t.deepEqual(ps.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']), ['0', '3']);
  t.deepEqual(ps.map((p) => p.metadata.generateName), ['pi-0-', 'pi-3-']);
  t.deepEqual(ps.map((p) => p.spec?.hostname), ['pi-0', 'pi-3']);
  t.like(status(), { completedIndexes: '1', succeeded: 1 });
});

test('tracking finalizer: a finished pod goes through uncountedTerminatedPods, loses the finalizer, is counted once', async (t) => {
  const { fx, c, status } = await setup(job({ completions: 3 }, { startTime: timestamp(EPOCH) }), jobPod('pi-a', 'Succeeded', { finishedAt: EPOCH }), jobPod('pi-b', 'Failed', { finishedAt: EPOCH - 60_000 }));
  await c.reconcile('default/pi');
  const [first] = fx.api.actions.filter((a) => a.verb === 'update-status');
  t.deepEqual((first!.object as Job).status?.uncountedTerminatedPods, { succeeded: ['uid-pi-a'], failed: ['uid-pi-b'] }, 'step 1: recorded as uncounted');
  t.deepEqual(fx.api.writes((a) => a.verb === 'patch' && a.resource === 'pods').sort(), ['patch pods pi-a', 'patch pods pi-b'], 'step 2: finalizers removed');
  t.deepEqual(fx.api.peek(pods, 'default', 'pi-a')!.metadata.finalizers, undefined);
  t.like(status(), { succeeded: 1, failed: 1 }, 'step 3: counted');
  t.falsy(status().uncountedTerminatedPods?.succeeded?.length);
  await settle();
  await c.reconcile('default/pi');
  await fx.api.delete(pods, 'pi-a', { namespace: 'default' });
  await settle();
  await c.reconcile('default/pi');
  t.like(status(), { succeeded: 1, failed: 1 }, 'counted once, and still counted after the pod was deleted');
});

test('tracking finalizer: a failed removal keeps the pod uncounted and is retried; pods of a deleted Job lose the finalizer', async (t) => {
  const { fx, c, status } = await setup(job({ completions: 3 }, { startTime: timestamp(EPOCH) }), jobPod('pi-a', 'Succeeded', { finishedAt: EPOCH }));
  fx.api.fail = (a) => (a.verb === 'patch' && a.resource === 'pods' ? new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'boom' }) : undefined);
  await t.throwsAsync(c.reconcile('default/pi'), { message: 'boom' });
  t.deepEqual(status().uncountedTerminatedPods, { succeeded: ['uid-pi-a'], failed: [] });
  t.is(status().succeeded, 0);
  fx.api.fail = undefined;
  await settle();
  await c.reconcile('default/pi');
  t.like(status(), { succeeded: 1 });
  t.deepEqual(status().uncountedTerminatedPods ?? {}, {});

  // The Job is deleted while a pod still runs: the pod keeps its finalizer only until the controller sees it orphaned.
  fx.api.seed(pods, jobPod('pi-r', 'Running'));
  await fx.api.delete(jobs, 'pi', { namespace: 'default' });
  await settle();
  await c.reconcile('default/pi');
  t.deepEqual(fx.api.peek(pods, 'default', 'pi-r')!.metadata.finalizers, undefined);
});

test('suspend: running pods are deleted and the Suspended condition set; resuming restarts the clock', async (t) => {
  const { fx, c, status } = await setup(job({ suspend: true, activeDeadlineSeconds: 60 }, { startTime: timestamp(EPOCH - 50_000) }), jobPod('pi-r1', 'Running'));
  await c.reconcile('default/pi');
  t.deepEqual(fx.api.writes((a) => a.resource === 'pods' && a.verb === 'delete'), ['delete pods pi-r1']);
  t.like(status().conditions?.[0], { type: 'Suspended', status: 'True', reason: 'JobSuspended' });
  const cur = fx.api.peek(jobs, 'default', 'pi')!;
  await fx.api.update(jobs, { ...cur, spec: { ...cur.spec!, suspend: false } });
  fx.clock.advance(30_000);
  await settle();
  await c.reconcile('default/pi');
  t.like(status().conditions?.[0], { type: 'Suspended', status: 'False', reason: 'JobResumed' });
  t.is(status().startTime, timestamp(EPOCH + 30_000), 'the deadline counts from the resume');
  t.false(status().conditions!.some((x) => x.type === 'FailureTarget'));
});

test('completed indexes are written compressed, as Kubernetes does', (t) => {
  t.is(formatIndexes([7, 1, 3, 4, 5]), '1,3-5,7');
  t.is(formatIndexes([0, 1]), '0,1');
  t.is(formatIndexes([]), '');
  t.is(formatIndexes([2, 2, 3, 4]), '2-4');
});

test('TTL after finished: the Job is deleted (background propagation) ttlSecondsAfterFinished after it finished', async (t) => {
  const fx = fixture();
  const finished = (name: string, ttl: number | undefined): Job => {
    const j = job({ ttlSecondsAfterFinished: ttl }, { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: timestamp(EPOCH) }] });
    j.metadata.name = name;
    j.metadata.uid = `uid-${name}`;
    return j;
  };
  fx.api.seed(jobs, finished('short', 60), finished('forever', undefined), { ...job({ ttlSecondsAfterFinished: 0 }), metadata: { name: 'running', namespace: 'default' } });
  const c = new TtlAfterFinishedController(fx);
  await fx.sync();
  const queued: string[] = [];
  for (let k = c.queue.tryGet(); k !== undefined; k = c.queue.tryGet()) {
    queued.push(k);
    c.queue.done(k);
  }
  t.deepEqual(queued, ['default/short'], 'only a finished Job with a TTL is considered');
  fx.clock.advance(59_000);
  await c.reconcile('default/short');
  t.deepEqual(fx.api.writes(), []);
  fx.clock.advance(1_000);
  await c.reconcile('default/short');
  t.deepEqual(fx.api.actions.map((a) => [a.verb, a.name, a.propagationPolicy]), [['delete', 'short', 'Background']]);
  t.is(c.deletions, 1);
});

/** A Job as a user writes it: no selector (the api-server generates it), the simulated runtime's behaviour in an annotation. */
function userJob(name: string, spec: Partial<JobSpec>, simulate: object): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        metadata: { annotations: { 'berth.dev/simulate': JSON.stringify(simulate) } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox:1.36' }] },
      },
      ...spec,
    },
  };
}

test('end to end on simulated nodes: 5 completions 2 at a time complete; failing pods stop at backoffLimit after the back-off', async (t) => {
  const c = await startNodeCluster(t, 2);
  await c.api.create(jobs, userJob('ok', { completions: 5, parallelism: 2, ttlSecondsAfterFinished: 30 }, { exitAfterMs: 5_000, exitCode: 0 }));
  await c.api.create(jobs, userJob('bad', { backoffLimit: 2 }, { exitAfterMs: 1_000, exitCode: 1 }));
  const podsOf = async (name: string): Promise<Pod[]> => (await c.api.list(pods, { namespace: 'default', labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
  const finished = async (name: string): Promise<boolean> => {
    const j = await c.api.get(jobs, name, { namespace: 'default' });
    return !!j.status?.conditions?.some((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  };
  let maxRunning = 0;
  const okTook = await runUntil(c.sup, async () => {
    const running = (await podsOf('ok')).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
    maxRunning = Math.max(maxRunning, running);
    return finished('ok');
  }, 'Job ok complete', 120_000, 500);
  const ok = await c.api.get(jobs, 'ok', { namespace: 'default' });
  t.like(ok.status, { succeeded: 5, failed: 0, active: 0 });
  t.deepEqual(ok.status?.conditions?.map((x) => [x.type, x.status]), [['SuccessCriteriaMet', 'True'], ['Complete', 'True']]);
  t.truthy(ok.status?.completionTime);
  t.true(maxRunning <= 2, `never more than parallelism 2 pods at once (saw ${maxRunning})`);
  const okPods = await podsOf('ok');
  t.is(okPods.filter((p) => p.status?.phase === 'Succeeded').length, 5);
  t.true(okTook >= 15_000 && okTook <= 30_000, `3 waves of 5 s (took ${okTook} ms)`);
  for (const p of okPods) {
    t.is(p.metadata.labels?.['batch.kubernetes.io/controller-uid'], ok.metadata.uid);
    t.deepEqual(p.metadata.finalizers ?? [], [], 'counted: the tracking finalizer is gone');
  }

  await runUntil(c.sup, () => finished('bad'), 'Job bad failed', 120_000, 500);
  const bad = await c.api.get(jobs, 'bad', { namespace: 'default' });
  t.like(bad.status, { failed: 3, succeeded: 0, active: 0 });
  const failedCond = bad.status?.conditions?.find((x) => x.type === 'Failed');
  t.like(failedCond, { status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
  const badPods = await podsOf('bad');
  t.is(badPods.length, 3, 'backoffLimit 2: the first try and two retries');
  const started = badPods.map((p) => Date.parse(p.metadata.creationTimestamp!)).sort((a, b) => a - b);
  t.true(started[1]! - started[0]! >= 10_000, 'second try after the 10 s back-off');
  t.true(started[2]! - started[1]! >= 20_000, 'third after 20 s');

  // ttlSecondsAfterFinished 30: the finished Job goes, and its pods with it (background propagation).
  const completedAt = Date.parse(ok.status!.completionTime!);
  await runUntil(c.sup, async () => (await c.api.list(jobs, { namespace: 'default' })).items.every((j) => j.metadata.name !== 'ok'), 'Job ok deleted', 60_000, 500);
  t.true(c.sup.clock.now() >= completedAt + 30_000 - 1_000, 'not before its TTL');
  await runUntil(c.sup, async () => (await podsOf('ok')).length === 0, 'its pods collected', 30_000, 500);
  t.truthy(await c.api.get(jobs, 'bad', { namespace: 'default' }), 'a Job without a TTL stays');
});
