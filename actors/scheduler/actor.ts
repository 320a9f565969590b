/**
 * The scheduler actor: the pure Scheduler fed by informers over the
 * in-process client, with time from the actor's clock (so back-off follows
 * the virtual clock). Watch notices and client timers (the scheduling loop
 * wakes through them) go to the transport and the clock first; api-server
 * writes run as tracked background work, so the mailbox never waits on
 * them. On restart everything is rebuilt from the api-server's lists. A
 * request that finds the api-server gone ends every watch, so the informers
 * list again once it is back.
 *
 * With `leaderElection`, several replicas may run (at different addresses):
 * only the holder of the kube-system/kube-scheduler Lease schedules; losing
 * it stops the loop at once; a clean stop releases it.
 */
import { defineActor, type Message, type Sender } from '../../lib/actor/types.js';
import { ActorClock } from '../../lib/client/clock.js';
import { ApiClient } from '../../lib/client/client.js';
import { TransportError } from '../../lib/client/errors.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import { LeaderElector, electionSettings } from '../../lib/client/leader-election.js';
import type { SchedulerArgs, SchedulerMessage } from './messages.js';
import { SchedulerRunner } from './runner.js';

export default defineActor<SchedulerMessage, SchedulerArgs>((ctx, args) => {
  const clock = new ActorClock(ctx);
  // Listed and watched objects come without managedFields: no plugin reads them (runner.ts trims them anyway).
  const transport = new InProcessTransport(ctx, { address: args?.apiServer, withoutManagedFields: true });
  const api = new ApiClient(transport, { fieldManager: args?.schedulerName ?? 'default-scheduler' });
  const onError = (err: unknown): void => {
    if (err instanceof TransportError) transport.endAll(err);
  };
  const newRunner = (): SchedulerRunner =>
    new SchedulerRunner({
      api,
      clock,
      args: args ?? {},
      host: ctx.self,
      track: (w) => ctx.track(w),
      log: (msg, fields) => ctx.log.debug(msg, fields),
      onError,
    });
  let runner = newRunner();
  let running = false;
  const waiters: Sender[] = [];
  const flush = (): void => {
    if (ready()) for (const w of waiters.splice(0)) ctx.reply(w, true);
  };
  const lead = (): void => {
    running = true;
    const r = runner;
    void r.start().then(() => {
      if (r === runner) flush();
    });
  };
  // Losing the Lease stops scheduling at once; a later term starts from fresh informers.
  const unlead = (): void => {
    if (!running) return;
    runner.stop();
    runner = newRunner();
    running = false;
  };
  const elector = args?.leaderElection
    ? new LeaderElector({
        client: api,
        clock,
        ...electionSettings(args.leaderElection, { leaseName: 'kube-scheduler', address: ctx.self }),
        track: (w) => ctx.track(w),
        onStartedLeading: lead,
        onStoppedLeading: unlead,
        onNewLeader: () => flush(),
        onError: (err) => {
          onError(err);
          ctx.log.debug('leader election', { error: String(err) });
        },
      })
    : undefined;
  /** Ready: synced while scheduling; as a standby, once it has seen who leads. */
  function ready(): boolean {
    if (running) return runner.hasSynced;
    return !!elector && elector.stats().holder !== '' && !elector.isLeader;
  }
  if (elector) elector.start();
  else lead();

  return {
    receive(msg: Message, from: Sender) {
      if (clock.handleTimer(msg)) return;
      if (transport.handleNotice(msg)) return;
      const m = msg as SchedulerMessage;
      switch (m.type) {
        case 'scheduler.stats':
          ctx.reply(from, elector ? { ...runner.stats(), leader: elector.stats() } : runner.stats());
          return;
        case 'scheduler.ready':
          if (ready()) ctx.reply(from, true);
          else waiters.push(from);
          return;
        case 'scheduler.explain': {
          const out = runner.explain(m.namespace, m.name);
          if (out) ctx.reply(from, out);
          else ctx.replyError(from, 'NOT_FOUND', `pod ${m.namespace}/${m.name} not found`);
          return;
        }
        default: {
          const never: never = m;
          ctx.replyError(from, 'INVALID_ARGUMENT', `unknown message ${JSON.stringify(never)}`);
        }
      }
    },
    async stop() {
      await elector?.stop();
      unlead();
      transport.close();
    },
  };
});
