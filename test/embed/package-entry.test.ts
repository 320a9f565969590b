/** The package entry point gives an embedder the runtime without deep imports. */
import test from 'ava';
import { createRequire } from 'node:module';
import * as berth from '../../lib/index.js';

test('the package main entry exports the supervisor, defineActor and the typed errors', async (t) => {
  const require = createRequire(import.meta.url);
  const pkg = require('../../../package.json') as { exports: { '.': { import: string } } };
  t.is(pkg.exports['.'].import, './dist/lib/index.js');
  t.is(typeof berth.Supervisor.start, 'function');
  t.is(typeof berth.defineActor, 'function');
  const sup = await berth.Supervisor.start({
    children: [{ id: 'echo', module: new URL('../fixtures/actors/echo.js', import.meta.url).href }],
    logLevel: 'silent',
  });
  t.teardown(() => sup.stop());
  t.is(await sup.request('echo', { type: 'echo', value: 7 } as berth.Message), 7);
  await t.throwsAsync(sup.request('missing', { type: 'x' }), { instanceOf: berth.UnroutableError });
});
