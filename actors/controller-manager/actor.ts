/**
 * The controller-manager actor: every controller over the in-process
 * client, with time from the actor's clock (so it follows the virtual
 * clock). Watch notices and client timers are handed to the transport and
 * the clock first. Reconciles run as tracked background work, so the
 * mailbox never waits on them. On restart everything is rebuilt from the
 * api-server's lists. A request that finds the api-server gone ends every
 * watch, so the informers list again once it is back.
 */
import { defineActor, type Message, type Sender } from '../../lib/actor/types.js';
import { ActorClock } from '../../lib/client/clock.js';
import { ApiClient } from '../../lib/client/client.js';
import { TransportError } from '../../lib/client/errors.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import { ControllerManager } from './manager.js';
import type { ControllerManagerArgs, ControllerManagerMessage, ControllerManagerStats } from './messages.js';

export default defineActor<ControllerManagerMessage, ControllerManagerArgs>((ctx, args) => {
  const clock = new ActorClock(ctx);
  const transport = new InProcessTransport(ctx, { address: args?.apiServer });
  const api = new ApiClient(transport, { fieldManager: 'controller-manager' });
  const manager = new ControllerManager({
    api,
    clock,
    controllers: args?.controllers,
    workers: args?.workers,
    host: ctx.self,
    track: (w) => ctx.track(w),
    log: (msg, fields) => ctx.log.debug(msg, fields),
    // The api-server did not answer: its watches are gone too; informers re-list.
    onError: (err) => {
      if (err instanceof TransportError) transport.endAll(err);
    },
  });
  let synced = false;
  const waiters: Sender[] = [];
  void manager.start().then(() => {
    synced = true;
    for (const w of waiters.splice(0)) ctx.reply(w, true);
  });
  return {
    receive(msg: Message, from: Sender) {
      if (clock.handleTimer(msg)) return;
      if (transport.handleNotice(msg)) return;
      const m = msg as ControllerManagerMessage;
      switch (m.type) {
        case 'cm.stats':
          ctx.reply(from, { synced, controllers: manager.stats() } satisfies ControllerManagerStats);
          return;
        case 'cm.ready':
          if (synced) ctx.reply(from, true);
          else waiters.push(from);
          return;
        default: {
          const never: never = m;
          ctx.replyError(from, 'INVALID_ARGUMENT', `unknown message ${JSON.stringify(never)}`);
        }
      }
    },
    stop() {
      manager.stop();
      transport.close();
    },
  };
});
