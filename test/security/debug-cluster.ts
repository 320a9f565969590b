/**
 * A control plane at debug log level in a child process, for the log-leak
 * test: the store, the api-server on a free port and the controller-manager.
 * Prints `{"url": ...}` on stdout once serving; stops when stdin closes.
 * Its stderr (every thread's log lines) is what the test reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiAddress } from '../../actors/api-server/messages.js';
import { apiServerChildSpec } from '../../actors/api-server/spec.js';
import { controllerManagerChildSpec } from '../../actors/controller-manager/spec.js';
import { storeChildSpec } from '../../actors/store/spec.js';
import { Supervisor } from '../../lib/actor/supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-logs-'));
const sup = await Supervisor.start({
  children: [storeChildSpec({ path: dir }), apiServerChildSpec({ port: 0 }), controllerManagerChildSpec()],
  logLevel: 'debug',
});
const address = await sup.request<ApiAddress>('api-server', { type: 'api.address' }, { timeoutMs: 20_000 });
process.stdout.write(JSON.stringify({ url: address.url }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void sup.stop().then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
