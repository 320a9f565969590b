/**
 * Container failures drawn with a probability (a scenario pool's `failures`):
 * the draw is seeded by pod and container names, so the same containers fail
 * in every run; a drawn crash loop or OOM kill shows in the pod's status as
 * Kubernetes shows it.
 */
import test from 'ava';
import { drawFailures, type SimFailure } from '../../actors/node/sim-failures.js';
import { pods } from '../../lib/api/resources/index.js';
import type { Pod } from '../../lib/api/types/pod.js';
import { runUntil, startNodeCluster } from './cluster.js';

const names = Array.from({ length: 400 }, (_, i) => `web-${i}`);
const failing = (failures: readonly SimFailure[], labels: Record<string, string> = {}): string[] =>
  names.filter((name) => drawFailures({}, failures, { name, labels }, ['main']).containers?.['main'] !== undefined);

test('the draw: about the probability, the same pods every time, only pods matching the selector', (t) => {
  const half = failing([{ probability: 0.5 }]);
  t.true(half.length > 160 && half.length < 240, `${half.length} of 400 at p=0.5`);
  t.deepEqual(failing([{ probability: 0.5 }]), half, 'same names, same draw');
  t.is(failing([{ probability: 0 }]).length, 0);
  t.is(failing([{ probability: 1 }]).length, 400);
  t.is(failing([{ probability: 1, selector: 'app=flaky' }], { app: 'web' }).length, 0);
  t.is(failing([{ probability: 1, selector: 'app=flaky' }], { app: 'flaky' }).length, 400);
  // A selector that does not parse (from a pod annotation) matches nothing rather than failing the kubelet.
  t.is(failing([{ probability: 1, selector: 'app in (' }], { app: 'flaky' }).length, 0);
  // The first failure a container draws wins; the behaviour is laid over the container's own.
  const sim = drawFailures({ containers: { main: { startMs: 7 } } }, [{ probability: 1, exitAfterMs: 0, exitCode: 3 }, { probability: 1, oomKilled: true }], { name: 'x', labels: {} }, ['main', 'side']);
  t.deepEqual(sim.containers, { main: { startMs: 7, exitAfterMs: 0, exitCode: 3 }, side: { exitAfterMs: 0, exitCode: 3 } });
  t.deepEqual(drawFailures({}, [{ probability: 1, exitAfterMs: 1_000, oomKilled: true }], { name: 'x', labels: {} }, ['main']).containers, {
    main: { exitAfterMs: 1_000, exitCode: 137, oomKilled: true },
  });
});

const pod = (name: string, app: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app } },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

test('on the kubelet: a drawn crash loop backs off as CrashLoopBackOff, a drawn OOM kill ends OOMKilled, other pods run', async (t) => {
  const failures: SimFailure[] = [
    { probability: 1, selector: 'app=crash', exitAfterMs: 0, exitCode: 2 },
    { probability: 1, selector: 'app=oom', exitAfterMs: 2_000, oomKilled: true },
  ];
  const c = await startNodeCluster(t, 2, { sim: { startMs: 100, failures } });
  await c.api.create(pods, pod('crasher', 'crash'));
  await c.api.create(pods, pod('hog', 'oom'));
  await c.api.create(pods, pod('steady', 'web'));
  const get = (name: string) => c.api.get(pods, name, { namespace: 'default' });
  await runUntil(
    c.sup,
    async () => {
      const [crasher, hog] = [await get('crasher'), await get('hog')];
      const cs = crasher.status?.containerStatuses?.[0];
      const hs = hog.status?.containerStatuses?.[0];
      return cs?.state?.waiting?.reason === 'CrashLoopBackOff' && (cs.restartCount ?? 0) >= 1 && hs?.lastState?.terminated?.reason === 'OOMKilled';
    },
    'crash loop and OOM kill',
  );
  const cs = (await get('crasher')).status!.containerStatuses![0]!;
  t.is(cs.lastState?.terminated?.exitCode, 2);
  const hs = (await get('hog')).status!.containerStatuses![0]!;
  t.is(hs.lastState?.terminated?.exitCode, 137);
  const steady = (await get('steady')).status!.containerStatuses![0]!;
  t.is(steady.restartCount, 0);
  t.truthy(steady.state?.running);
});
