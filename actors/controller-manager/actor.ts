/**
 * The controller-manager actor: every controller over the in-process
 * client, with time from the actor's clock (so it follows the virtual
 * clock). Watch notices and client timers are handed to the transport and
 * the clock first. Reconciles run as tracked background work, so the
 * mailbox never waits on them. On restart everything is rebuilt from the
 * api-server's lists. A request that finds the api-server gone ends every
 * watch, so the informers list again once it is back.
 *
 * With `leaderElection`, several replicas may run (at different addresses):
 * only the holder of the kube-system/kube-controller-manager Lease runs
 * controllers; a replica that loses the Lease stops them at once and
 * campaigns again; a clean stop releases the Lease.
 */
import { defineActor, type Message, type Sender } from '../../lib/actor/types.js';
import { ActorClock } from '../../lib/client/clock.js';
import { ApiClient } from '../../lib/client/client.js';
import { TransportError } from '../../lib/client/errors.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import { LeaderElector, electionSettings } from '../../lib/client/leader-election.js';
import type { ControllerStats } from './controller.js';
import { ControllerManager } from './manager.js';
import type { ControllerManagerArgs, ControllerManagerMessage, ControllerManagerStats } from './messages.js';

export default defineActor<ControllerManagerMessage, ControllerManagerArgs>((ctx, args) => {
  const clock = new ActorClock(ctx);
  // Listed and watched objects come without managedFields: no controller reads them (context.ts trims them anyway).
  const transport = new InProcessTransport(ctx, { address: args?.apiServer, withoutManagedFields: true });
  const api = new ApiClient(transport, { fieldManager: 'controller-manager' });
  // The api-server did not answer: its watches are gone too; informers re-list.
  const onError = (err: unknown): void => {
    if (err instanceof TransportError) transport.endAll(err);
  };
  let manager: ControllerManager | undefined;
  let synced = false;
  /** Counts of the managers of earlier terms (with leader election a replica may lead several times). */
  const earlier: Record<string, ControllerStats> = {};
  const waiters: Sender[] = [];
  const flush = (): void => {
    if (ready()) for (const w of waiters.splice(0)) ctx.reply(w, true);
  };

  const lead = (): void => {
    const m = new ControllerManager({
      api,
      clock,
      controllers: args?.controllers,
      workers: args?.workers,
      nodeLifecycle: args?.nodeLifecycle,
      host: ctx.self,
      track: (w) => ctx.track(w),
      log: (msg, fields) => ctx.log.debug(msg, fields),
      onError,
    });
    manager = m;
    void m.start().then(() => {
      if (manager !== m) return;
      synced = true;
      flush();
    });
  };
  // Losing the Lease stops every controller at once (kube's OnStoppedLeading); a new term starts afresh from the api-server.
  const unlead = (): void => {
    if (!manager) return;
    for (const [name, s] of Object.entries(manager.stats())) {
      const e = earlier[name];
      earlier[name] = e ? { reconciles: e.reconciles + s.reconciles, failures: e.failures + s.failures, queued: 0 } : { ...s, queued: 0 };
    }
    manager.stop();
    manager = undefined;
    synced = false;
  };

  const elector = args?.leaderElection
    ? new LeaderElector({
        client: api,
        clock,
        ...electionSettings(args.leaderElection, { leaseName: 'kube-controller-manager', address: ctx.self }),
        track: (w) => ctx.track(w),
        onStartedLeading: () => {
          ctx.log.info('leading', { lease: args.leaderElection?.leaseName ?? 'kube-controller-manager' });
          lead();
        },
        onStoppedLeading: () => {
          ctx.log.info('stopped leading', {});
          unlead();
        },
        onNewLeader: () => flush(),
        onError: (err) => {
          onError(err);
          ctx.log.debug('leader election', { error: String(err) });
        },
      })
    : undefined;
  /** Ready: synced while acting; as a standby, once it has seen who leads. */
  function ready(): boolean {
    if (manager) return synced;
    return !!elector && elector.stats().holder !== '' && !elector.isLeader;
  }
  if (elector) elector.start();
  else lead();

  const stats = (): ControllerManagerStats => {
    const controllers: Record<string, ControllerStats> = { ...earlier };
    for (const [name, s] of Object.entries(manager?.stats() ?? {})) {
      const e = earlier[name];
      controllers[name] = e ? { reconciles: e.reconciles + s.reconciles, failures: e.failures + s.failures, queued: s.queued } : s;
    }
    return { synced, controllers, ...(elector ? { leader: elector.stats() } : {}) };
  };

  return {
    receive(msg: Message, from: Sender) {
      if (clock.handleTimer(msg)) return;
      if (transport.handleNotice(msg)) return;
      const m = msg as ControllerManagerMessage;
      switch (m.type) {
        case 'cm.stats':
          ctx.reply(from, stats());
          return;
        case 'cm.ready':
          if (ready()) ctx.reply(from, true);
          else waiters.push(from);
          return;
        default: {
          const never: never = m;
          ctx.replyError(from, 'INVALID_ARGUMENT', `unknown message ${JSON.stringify(never)}`);
        }
      }
    },
    async stop() {
      // Stops leading first (the controllers with it), then releases the Lease while the transport still works.
      await elector?.stop();
      unlead();
      transport.close();
    },
  };
});
