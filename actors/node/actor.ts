/**
 * The kubelet actor: one per simulated node, many per host thread (a group
 * child spec). A thin shell over Kubelet: client timers and watch notices
 * first, then the kubelet's own timers and requests. Registration runs as
 * tracked background work, so the mailbox never waits on the api-server.
 */
import { defineActor, type Message, type Sender } from '../../lib/actor/types.js';
import { ActorClock } from '../../lib/client/clock.js';
import { ApiClient } from '../../lib/client/client.js';
import { InProcessTransport } from '../../lib/client/in-process.js';
import type { Transport } from '../../lib/client/types.js';
import { Kubelet } from './kubelet.js';
import { NODE_ADDRESS_PREFIX, type KubeletArgs, type KubeletMessage } from './messages.js';
import { nodeSettings } from './settings.js';

export const RETRY_REGISTRATION_MS = 1_000;

export default defineActor<KubeletMessage, KubeletArgs>((ctx, args) => {
  const name = args?.nodeName ?? (ctx.self.startsWith(NODE_ADDRESS_PREFIX) ? ctx.self.slice(NODE_ADDRESS_PREFIX.length) : ctx.self);
  const clock = new ActorClock(ctx);
  // The pod informer drops managedFields (trimDecoded) and nothing here reads them: never decoded.
  const transport = new InProcessTransport(ctx, { address: args?.apiServer, withoutManagedFields: true });
  // Every request is tracked (the informer's too), so virtual time waits for its answer.
  const tracked: Transport = {
    call: (r) => ctx.track(transport.call(r)),
    batch: (r, o) => ctx.track(transport.batch(r, o)),
    watch: (r, h) => ctx.track(transport.watch(r, h)),
    close: () => transport.close(),
  };
  const api = new ApiClient(tracked, { fieldManager: 'kubelet' });
  const kubelet = new Kubelet(nodeSettings(name, args ?? {}), api, clock, {
    now: () => ctx.now(),
    setTimer: (ms, msg) => ctx.setTimer(ms, msg),
    cancelTimer: (id) => ctx.cancelTimer(id),
    track: (w) => ctx.track(w),
    warn: (msg, fields) => ctx.log.warn(msg, { node: name, ...fields }),
    transportFailed: (err) => transport.endAll(err),
    decodedStrings: true,
  });
  let ready = false;
  const waiters: Sender[] = [];
  const register = (): void => {
    void ctx.track(
      kubelet
        .start()
        .then(() => kubelet.waitForReady())
        .then(
          () => {
            ready = true;
            for (const w of waiters.splice(0)) ctx.reply(w, true);
          },
          (err: unknown) => {
            ctx.log.warn('registration failed; retrying', { node: name, error: err instanceof Error ? err.message : String(err) });
            ctx.setTimer(RETRY_REGISTRATION_MS, { type: 'kubelet.register' });
          },
        ),
    );
  };
  register();
  return {
    receive(msg: Message, from: Sender) {
      if (clock.handleTimer(msg)) return;
      if (transport.handleNotice(msg)) return;
      const m = msg as KubeletMessage;
      switch (m.type) {
        case 'kubelet.pods':
          return kubelet.onPodsTimer(m.at);
        case 'kubelet.flush':
          return kubelet.onFlush();
        case 'kubelet.register':
          return register();
        case 'kubelet.lease':
          return kubelet.onLease();
        case 'kubelet.status':
          return kubelet.onStatus();
        case 'kubelet.eviction':
          return kubelet.onEviction();
        case 'kubelet.ready':
          if (ready) ctx.reply(from, true);
          else waiters.push(from);
          return;
        case 'kubelet.stats':
          return ctx.reply(from, kubelet.stats());
        case 'kubelet.fail':
          kubelet.fail();
          return ctx.reply(from, true);
        case 'kubelet.partition':
          kubelet.partition();
          return ctx.reply(from, true);
        case 'kubelet.recover':
          // Applied once the Node is refreshed; a failure retries like a failed registration.
          void ctx.track(
            kubelet.recover().then(
              () => ctx.reply(from, true),
              (err: unknown) => {
                ctx.setTimer(RETRY_REGISTRATION_MS, { type: 'kubelet.register' });
                ctx.replyError(from, 'UNAVAILABLE', `node ${name}: recovery failed (retrying): ${err instanceof Error ? err.message : String(err)}`);
              },
            ),
          );
          return;
        default: {
          const never: never = m;
          ctx.replyError(from, 'INVALID_ARGUMENT', `unknown message ${JSON.stringify(never)}`);
        }
      }
    },
    stop() {
      kubelet.stop();
      transport.close();
    },
  };
});
