/** Properties of merge patch and strategic merge patch against their definitions. */
import test from 'ava';
import fc from 'fast-check';
import { applyMergePatch } from '../../lib/api/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../lib/api/patch/strategic.js';
import { applyJsonPatch } from '../../lib/api/patch/json-patch.js';
import { podSchema, type PatchSchema } from '../../lib/api/patch/metadata.js';
import type { JsonObject, JsonValue } from '../../lib/api/patch/json-value.js';

// ---- generators -------------------------------------------------------------

/** Keys include the dangerous ones; objects are built with Object.fromEntries, which defines own properties. */
const key = fc.oneof(fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor', 'toString'), fc.string({ maxLength: 3 }));
const plainKey = key.filter((k) => !k.startsWith('$'));
const scalar = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -5, max: 5 }), fc.boolean());

function jsonArb(k: fc.Arbitrary<string>, withNull: boolean): fc.Arbitrary<JsonValue> {
  const leaf = withNull ? fc.oneof(scalar, fc.constant(null)) : scalar;
  return fc.letrec<{ v: JsonValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('v'), { maxLength: 3 }),
      fc.array(fc.tuple(k, tie('v')), { maxLength: 4 }).map((e) => Object.fromEntries(e) as JsonObject),
    ),
  })).v;
}
const objectOf = (v: fc.Arbitrary<JsonValue>): fc.Arbitrary<JsonObject> =>
  fc.array(fc.tuple(plainKey, v), { maxLength: 4 }).map((e) => Object.fromEntries(e) as JsonObject);

const target = jsonArb(key, true);
const patch = jsonArb(plainKey, true);

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: JsonObject, k: string): JsonValue | undefined => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
const snapshot = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (isObj(x) ? Object.entries(x) : x));

/** RFC 7386 section 2, written as a pure function over entries (independent of the implementation). */
function rfc7386(t: JsonValue | undefined, p: JsonValue): JsonValue {
  if (!isObj(p)) return p;
  const base: [string, JsonValue][] = isObj(t) ? Object.entries(t) : [];
  const patched = new Map<string, JsonValue>(base);
  for (const [k, v] of Object.entries(p)) {
    if (v === null) patched.delete(k);
    else patched.set(k, rfc7386(patched.get(k), v));
  }
  return Object.fromEntries(patched);
}

// ---- JSON merge patch ----------------------------------------------------------

test('merge patch agrees with the RFC 7386 definition and never mutates its inputs', (t) => {
  fc.assert(
    fc.property(target, patch, (tg, p) => {
      const before = [snapshot(tg), snapshot(p)];
      t.deepEqual(applyMergePatch(tg, p), rfc7386(tg, p));
      t.deepEqual([snapshot(tg), snapshot(p)], before);
    }),
    { numRuns: 1000 },
  );
});

test('merge patch: reading the patched keys gives what the patch says; idempotent', (t) => {
  fc.assert(
    fc.property(target, objectOf(jsonArb(plainKey, true)), (tg, p) => {
      const out = applyMergePatch(tg, p) as JsonObject;
      for (const [k, v] of Object.entries(p)) {
        if (v === null) t.false(Object.hasOwn(out, k));
        else if (isObj(v)) t.true(isObj(own(out, k)));
        else t.deepEqual(own(out, k), v);
      }
      t.deepEqual(applyMergePatch(out, p), out);
    }),
    { numRuns: 500 },
  );
});

// ---- strategic merge patch ---------------------------------------------------------

test('SMP with no patch metadata and no directives is JSON merge patch', (t) => {
  fc.assert(
    fc.property(objectOf(jsonArb(key, false)), objectOf(jsonArb(plainKey, true)), (tg, p) => {
      const r = applyStrategicMergePatch(tg, p, {});
      t.true(r.ok);
      if (r.ok) t.deepEqual(r.value, applyMergePatch(tg, p));
    }),
    { numRuns: 1000 },
  );
});

test('SMP: the empty patch is the identity for any object', (t) => {
  fc.assert(
    fc.property(objectOf(jsonArb(key, true)), (tg) => {
      t.deepEqual(applyStrategicMergePatch(tg, {}, podSchema), { ok: true, value: tg });
    }),
  );
});

// Containers keyed by name: the merge-key list Kubernetes users patch most.
const names = ['a', 'b', 'c', 'd', 'e', 'f'];
const container = (name: string): fc.Arbitrary<JsonObject> => fc.record({ name: fc.constant(name), image: fc.constantFrom('i1', 'i2', 'i3') });
const containerList: fc.Arbitrary<JsonObject[]> = fc.shuffledSubarray(names).chain((ns) => fc.tuple(...ns.map(container)).map((cs): JsonObject[] => [...cs]));
const podWith = (containers: JsonObject[]): JsonObject => ({ metadata: { name: 'p' }, spec: { containers } });
const containersOf = (o: JsonObject): JsonObject[] => ((o.spec as JsonObject).containers as JsonObject[]) ?? [];
const nameOf = (c: JsonObject): string => c.name as string;

function smp(o: JsonObject, p: unknown, schema: PatchSchema = podSchema): JsonObject {
  const r = applyStrategicMergePatch(o, p, schema);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

test('SMP on a merge-key list: each key once, patched values win, others kept, orders respected', (t) => {
  fc.assert(
    fc.property(containerList, containerList, (live, patchList) => {
      const out = containersOf(smp(podWith(live), { spec: { containers: patchList } }));
      const outNames = out.map(nameOf);
      t.is(new Set(outNames).size, outNames.length, 'each merge key once');
      t.deepEqual([...outNames].sort(), [...new Set([...live.map(nameOf), ...patchList.map(nameOf)])].sort());
      for (const c of out) {
        const fromPatch = patchList.find((x) => x.name === c.name);
        const fromLive = live.find((x) => x.name === c.name);
        t.is(c.image, (fromPatch ?? fromLive)!.image);
      }
      const patchNames = patchList.map(nameOf);
      const serverOnly = live.map(nameOf).filter((n) => !patchNames.includes(n));
      t.deepEqual(outNames.filter((n) => patchNames.includes(n)), patchNames, 'patch items in patch order');
      t.deepEqual(outNames.filter((n) => serverOnly.includes(n)), serverOnly, 'server-only items in live order');
    }),
    { numRuns: 500 },
  );
});

test('SMP: $setElementOrder naming every resulting item fixes the final order', (t) => {
  fc.assert(
    fc.property(containerList, containerList, fc.infiniteStream(fc.nat()), (live, patchList, rnd) => {
      const all = [...new Set([...live.map(nameOf), ...patchList.map(nameOf)])];
      const order = [...all].sort(() => (rnd.next().value % 3) - 1);
      // Keep the patch list consistent with the order list, as Kubernetes requires.
      const sortedPatch = [...patchList].sort((x, y) => order.indexOf(nameOf(x)) - order.indexOf(nameOf(y)));
      const out = containersOf(smp(podWith(live), { spec: { '$setElementOrder/containers': order.map((name) => ({ name })), containers: sortedPatch } }));
      t.deepEqual(out.map(nameOf), order);
    }),
    { numRuns: 500 },
  );
});

test('SMP: patching with the object itself is a no-op; any merge-list patch is idempotent', (t) => {
  fc.assert(
    fc.property(containerList, containerList, (live, patchList) => {
      const pod = podWith(live);
      t.deepEqual(smp(pod, pod), pod);
      const p = { spec: { containers: patchList } };
      const once = smp(pod, p);
      t.deepEqual(smp(once, p), once);
    }),
    { numRuns: 500 },
  );
});

test('SMP: $patch delete removes exactly the named items and no directive survives', (t) => {
  fc.assert(
    fc.property(containerList, fc.subarray(names), (live, doomed) => {
      const out = smp(podWith(live), { spec: { containers: doomed.map((name) => ({ name, $patch: 'delete' })) } });
      t.deepEqual(containersOf(out).map(nameOf), live.map(nameOf).filter((n) => !doomed.includes(n)));
      t.false(JSON.stringify(out).includes('$patch'));
    }),
  );
});

test('SMP: primitive merge lists are sets; $deleteFromPrimitiveList removes', (t) => {
  const fin = fc.uniqueArray(fc.constantFrom('f1', 'f2', 'f3', 'f4', 'f5'), { maxLength: 5 });
  fc.assert(
    fc.property(fin, fin, fin, (live, add, del) => {
      const out = smp({ metadata: { finalizers: live } }, { metadata: { finalizers: add, '$deleteFromPrimitiveList/finalizers': del } });
      const got = ((out.metadata as JsonObject).finalizers ?? []) as string[];
      const want = [...new Set([...live, ...add].filter((f) => !del.includes(f)))].sort();
      t.deepEqual([...got].sort(), want, 'a set: no duplicates, nothing lost');
    }),
  );
});

test('JSON patch: add then remove restores the document; test sees what add wrote', (t) => {
  fc.assert(
    fc.property(objectOf(jsonArb(key, true)), plainKey, jsonArb(key, true), (doc, k, v) => {
      const ptr = `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const added = applyJsonPatch(doc, [{ op: 'add', path: ptr, value: v }, { op: 'test', path: ptr, value: v }]);
      t.true(added.ok);
      if (!added.ok) return;
      const removed = applyJsonPatch(added.value, [{ op: 'remove', path: ptr }]);
      const without = Object.fromEntries(Object.entries(doc).filter(([x]) => x !== k));
      t.deepEqual(removed, { ok: true, value: without });
    }),
  );
});
