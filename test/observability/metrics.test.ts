/**
 * /metrics aggregated across worker threads: the api-server's own metrics
 * plus every actor's counters from every host thread, gathered by the
 * supervisor; and the `sys.stats` request any actor can send it.
 */
import test from 'ava';
import { Supervisor, pods, renderActorMetrics, type ActorStats, type Message, type Pod } from '../../lib/index.js';

const sample = /^([a-z_]+)\{([^}]*)\} (\S+)$/;

function parse(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = sample.exec(line) ?? /^([a-z_]+)() (\S+)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

test('GET /metrics has the api-server metrics and the counters of actors on other threads', async (t) => {
  const cluster = await Supervisor.start({ clock: 'virtual', api: { port: 0 }, nodes: 2, logLevel: 'silent' });
  t.teardown(() => cluster.stop());
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  await cluster.apply(pod);
  await cluster.waitFor({ resource: pods, name: 'p', namespace: 'default' }, (p) => p?.status?.phase === 'Running');
  await fetch(`${cluster.url}/api/v1/namespaces/default/pods`);

  const res = await fetch(`${cluster.url}/metrics`);
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples = parse(await res.text());
  t.true(samples.some((s) => s.name === 'apiserver_request_total' && s.labels.resource === 'pods' && s.labels.verb === 'LIST'));
  const handled = (actor: string) => samples.find((s) => s.name === 'berth_actor_messages_handled_total' && s.labels.actor === actor);
  for (const actor of ['store', 'api-server', 'controller-manager', 'scheduler']) t.true((handled(actor)?.value ?? 0) > 0, `${actor} handled messages`);
  // The node that runs the pod has handled its events; both are reported.
  t.true(handled('node/node-000')!.value + handled('node/node-001')!.value > 0);
  for (const actor of ['store', 'api-server', 'controller-manager', 'scheduler', 'node/node-000', 'node/node-001']) {
    t.truthy(samples.find((s) => s.name === 'berth_actor_up' && s.labels.actor === actor && s.value === 1), `${actor} is up`);
  }
  t.not(handled('scheduler')!.labels.thread, handled('api-server')!.labels.thread, 'gathered from different threads');
  t.true(samples.some((s) => s.name === 'berth_actor_mailbox_depth' && s.labels.actor === 'scheduler'));
  t.true(samples.some((s) => s.name === 'berth_actor_restarts_total' && s.labels.actor === 'scheduler' && s.value === 0));
});

test('an actor asks the supervisor for sys.stats; restarts are counted', async (t) => {
  const echo = new URL('../fixtures/actors/echo.js', import.meta.url).href;
  const sup = await Supervisor.start({ children: [{ id: 'a', module: echo }, { id: 'b', module: echo }], logLevel: 'silent' });
  t.teardown(() => sup.stop());
  const restarted = new Promise((resolve) => sup.once('restart', resolve));
  sup.send('b', { type: 'crash' });
  await restarted;
  const answer = await sup.request<{ ok: boolean; value: ActorStats[] }>('a', { type: 'ask', to: 'supervisor', msg: { type: 'sys.stats' } } as Message);
  t.true(answer.ok);
  const byAddress = new Map(answer.value.map((s) => [s.address, s]));
  t.deepEqual([...byAddress.keys()].sort(), ['a', 'b']);
  t.is(byAddress.get('b')!.restarts, 1);
  t.is(byAddress.get('a')!.restarts, 0);
  const text = renderActorMetrics(answer.value);
  t.regex(text, /^berth_actor_restarts_total\{actor="b",thread="\d+"\} 1$/m);
  // Other messages to the supervisor still reach the embedder's listeners.
  const seen = new Promise<Message>((resolve) => sup.once('message', resolve));
  sup.send('a', { type: 'forward', to: 'supervisor', msg: { type: 'app.hello' } } as Message);
  t.is((await seen).type, 'app.hello');
});
