/** The controller-manager actor restarted at any moment rebuilds from the api-server and converges without duplicates. */
import test from 'ava';
import { deployments, pods } from '../../lib/api/resources/index.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import { kubeconfig } from '../api-server/helpers.js';
import { Kubectl } from '../api-server/kubectl-helpers.js';
import { startCmCluster, until } from './cluster.js';
import { deployment } from './objects.js';

test('stopped, the deployment scaled through /scale meanwhile, started again: exactly the new count of pods', async (t) => {
  const c = await startCmCluster(t);
  const d = deployment('web', 5);
  delete d.metadata.uid;
  await c.api.create(deployments, d);
  const podCount = async (): Promise<number> => (await c.api.list(pods, { namespace: 'default' })).items.filter((p) => !p.metadata.deletionTimestamp).length;
  await until(async () => (await podCount()) === 5, 20_000, '5 pods');
  await c.sup.terminateChild('controller-manager');
  const kubectl = new Kubectl(32, kubeconfig(c.dir, c.url));
  const scaled = await kubectl.run(['scale', 'deployment/web', '--replicas=8']);
  t.is(scaled.code, 0, scaled.stderr);
  await new Promise((r) => setTimeout(r, 200));
  t.is(await podCount(), 5, 'nothing acts while it is down');
  await c.sup.startChild(controllerManagerChildSpec());
  await until(async () => (await podCount()) === 8, 20_000, '8 pods');
  await new Promise((r) => setTimeout(r, 500));
  t.is(await podCount(), 8, 'no duplicates');
  const cur = await c.api.get(deployments, 'web', { namespace: 'default' });
  await until(async () => {
    const x = await c.api.get(deployments, 'web', { namespace: 'default' });
    return x.status?.replicas === 8 && x.status.observedGeneration === x.metadata.generation;
  }, 20_000, 'status');
  t.is(cur.spec?.replicas, 8);
});
