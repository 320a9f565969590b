/** Event recording: deduplication with count and lastTimestamp, aggregation of similar events. */
import test from 'ava';
import { EventRecorder } from '../../actors/controller-manager/events.js';
import { events } from '../../lib/api/resources/index.js';
import type { Event } from '../../lib/api/types/core.js';
import { fixture } from './fixture.js';
import { rs } from './objects.js';

test('the same event again patches count and lastTimestamp of the first one; repeats queued together make one write', async (t) => {
  const fx = fixture();
  const r = rs('web', 1);
  fx.recorder.event(r, 'Normal', 'SuccessfulCreate', 'Created pod: web-a');
  await fx.recorder.flush();
  fx.clock.advance(5_000);
  fx.recorder.event(r, 'Normal', 'SuccessfulCreate', 'Created pod: web-a');
  fx.recorder.event(r, 'Normal', 'SuccessfulCreate', 'Created pod: web-a');
  fx.recorder.event(r, 'Normal', 'SuccessfulCreate', 'Created pod: web-b');
  await fx.recorder.flush();
  // The first create; then web-a's count (one patch for both repeats) beside web-b's create.
  t.deepEqual(fx.api.writes(() => true).map((w) => w.split(' ')[0]).sort(), ['create', 'create', 'patch']);
  t.is(fx.recorder.writes, 4);
  const all = fx.api.all(events) as Event[];
  t.is(all.length, 2);
  const a = all.find((e) => e.message === 'Created pod: web-a')!;
  t.like(a, { count: 3, reason: 'SuccessfulCreate', type: 'Normal', firstTimestamp: '2025-01-01T00:00:00Z', lastTimestamp: '2025-01-01T00:00:05Z' });
  t.like(a.involvedObject, { kind: 'ReplicaSet', name: 'web', namespace: 'default', uid: 'uid-web', apiVersion: 'apps/v1' });
  t.like(a.source, { component: 'test-controller' });
  t.regex(a.metadata.name!, /^web\.[0-9a-f]+$/);
});

test('more than 10 similar events (same reason, other messages) within 10 minutes are combined', async (t) => {
  const fx = fixture();
  const r = rs('web', 1);
  for (let i = 0; i < 14; i++) fx.recorder.event(r, 'Warning', 'FailedCreate', `Error creating: try ${i}`);
  await fx.recorder.flush();
  const all = fx.api.all(events) as Event[];
  t.is(all.length, 10, '9 individual ones, then one combined');
  const combined = all.find((e) => e.message?.startsWith('(combined from similar events): '))!;
  t.is(combined.count, 5);
  t.is(combined.message, '(combined from similar events): Error creating: try 13');
});

test('a deduplicated event that was deleted meanwhile is created again', async (t) => {
  const fx = fixture();
  const r = rs('web', 1);
  fx.recorder.event(r, 'Normal', 'X', 'm');
  await fx.recorder.flush();
  await fx.api.delete(events, fx.api.all(events)[0]!.metadata.name!, { namespace: 'default' });
  fx.recorder.event(r, 'Normal', 'X', 'm');
  await fx.recorder.flush();
  t.is(fx.api.all(events).length, 1);
  t.is((fx.api.all(events)[0] as Event).count, 1);
});

test('spam filter: 25 events about one object are written, the rest dropped until the bucket refills (one per 5 minutes)', async (t) => {
  const fx = fixture();
  const r = rs('web', 1);
  const other = rs('api', 1);
  // Distinct messages: without the filter each would be a create, then a count on the combined Event.
  for (let i = 0; i < 100; i++) fx.recorder.event(r, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`);
  fx.recorder.event(other, 'Normal', 'SuccessfulCreate', 'Created pod: api-0');
  await fx.recorder.flush();
  t.is(fx.recorder.writes, 26, '25 about web, 1 about another object (its own bucket)');
  t.is(fx.recorder.spamDropped, 75);
  const about = (name: string) => (fx.api.all(events) as Event[]).filter((e) => e.involvedObject.name === name);
  t.is(about('api').length, 1);
  const combined = about('web').find((e) => e.message?.startsWith('(combined from similar events): '))!;
  t.truthy(combined);

  // Four minutes later the bucket has not earned a token yet; at five it has one.
  fx.clock.advance(240_000);
  fx.recorder.event(r, 'Normal', 'SuccessfulCreate', 'Created pod: web-late-1');
  await fx.recorder.flush();
  t.is(fx.recorder.writes, 26);
  fx.clock.advance(60_000);
  fx.recorder.event(r, 'Normal', 'SuccessfulCreate', 'Created pod: web-late-2');
  fx.recorder.event(r, 'Normal', 'SuccessfulCreate', 'Created pod: web-late-3');
  await fx.recorder.flush();
  t.is(fx.recorder.writes, 27);
  // The one written carries the count of every similar event, dropped ones included (as client-go).
  const after = about('web').find((e) => e.message === '(combined from similar events): Created pod: web-late-2')!;
  t.truthy(after, 'the combined Event was patched with the new message');
  t.is(after.count, 100 - 9 + 3, 'every similar event after the first nine, dropped ones (late-1, late-3) included');
});

test('aggregation remembers at most cacheSize objects, least recently used dropped, as client-go does', async (t) => {
  const fx = fixture();
  const recorder = new EventRecorder(fx.api, fx.clock, { component: 'test-controller', cacheSize: 1 });
  const [a, b] = [rs('a', 1), rs('b', 1)];
  for (let i = 0; i < 6; i++) recorder.event(a, 'Normal', 'SuccessfulCreate', `Created pod: a-${i}`);
  recorder.event(b, 'Normal', 'SuccessfulCreate', 'Created pod: b-0');
  for (let i = 6; i < 12; i++) recorder.event(a, 'Normal', 'SuccessfulCreate', `Created pod: a-${i}`);
  await recorder.flush();
  // 12 similar events about a: remembered throughout, they would fold into a combined one at the 10th.
  const aboutA = (fx.api.all(events) as Event[]).filter((e) => e.involvedObject.name === 'a');
  t.is(aboutA.length, 12, 'b pushed a out: its count started again, so no event was combined');
  t.false(aboutA.some((e) => e.message?.startsWith('(combined')));
});
