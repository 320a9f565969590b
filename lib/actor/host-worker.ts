/**
 * Worker entry for a host thread: wires the control port, the frame ports
 * and the introspection port to a Host. All logic lives in host.ts.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import { createPackr } from './codec.js';
import { MAIN_HOST, isWork, type FromHost, type HostBoot, type HostId, type ToHost } from './control.js';
import type { Link } from './endpoint.js';
import { Host } from './host.js';
import type { HostInspector } from './inspect.js';
import { RealTimers, VirtualTimers } from './timers.js';

const boot = workerData as HostBoot;
const port = parentPort!;
const control = (msg: FromHost, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer ?? []);

let host!: Host;
const timers = boot.clock === 'virtual' ? new VirtualTimers(Host.virtualSink(() => host)) : new RealTimers();
host = new Host({
  hostId: boot.hostId,
  packr: createPackr(boot.structures),
  timers,
  batch: boot.batch,
  maxMessageBytes: boot.maxMessageBytes,
  logLevel: boot.logLevel,
  control,
});

/** Frames to the supervisor's endpoint, or to any host when the supervisor relays. */
function viaSupervisor(to: HostId): Link {
  return { post: (bytes) => control({ k: 'frame', to, bytes }, [bytes.buffer as ArrayBuffer]) };
}

function directLink(from: HostId, p: MessagePort): Link {
  p.on('message', (bytes: Uint8Array) => host.onFrame(from, bytes));
  return { post: (bytes) => p.postMessage(bytes, [bytes.buffer as ArrayBuffer]) };
}

const directPorts = new Map<HostId, MessagePort>();
host.setLink(MAIN_HOST, viaSupervisor(MAIN_HOST));

port.on('message', (msg: ToHost) => {
  // Work from the supervisor is counted: the virtual clock waits for the idle report that follows it.
  if (isWork(msg)) host.touch();
  if (msg.now !== undefined && timers instanceof VirtualTimers) timers.observe(msg.now);
  switch (msg.k) {
    case 'frame':
      host.onFrame(msg.from, msg.bytes);
      return;
    case 'fire':
      host.fire(msg.now, msg.ids);
      return;
    case 'ping':
      control({ k: 'pong', n: msg.n });
      return;
    case 'routes':
      host.setRoutes(msg.set, msg.del);
      return;
    case 'down':
      host.markDown(msg.addresses, msg.reason);
      return;
    case 'link': {
      directPorts.get(msg.host)?.close();
      directPorts.delete(msg.host);
      if (msg.port) {
        directPorts.set(msg.host, msg.port);
        host.setLink(msg.host, directLink(msg.host, msg.port));
      } else if (boot.routing === 'relay') {
        host.setLink(msg.host, viaSupervisor(msg.host));
      } else {
        host.setLink(msg.host, null);
      }
      return;
    }
    case 'start':
      void host.runOrder(host.start(msg.specs)).then((failed) => control({ k: 'done', op: msg.op, failed }));
      return;
    case 'restart':
      void host.runOrder(host.restart(msg.addresses)).then((failed) => control({ k: 'done', op: msg.op, failed }));
      return;
    case 'stop':
      void host.runOrder(host.stop(msg.addresses)).then(() => control({ k: 'done', op: msg.op, failed: [] }));
      return;
    default: {
      const never: never = msg;
      throw new Error(`unknown control message ${JSON.stringify(never)}`);
    }
  }
});

const inspector: HostInspector = {
  threadId: () => threadId,
  stats: (address) => host.stats(address),
  statsMany: (addresses) => addresses.map((a) => host.stats(a)),
};
Comlink.expose(inspector, nodeEndpoint(boot.inspectPort));

control({ k: 'ready', threadId });
