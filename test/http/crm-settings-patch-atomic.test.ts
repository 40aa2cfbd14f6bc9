// Issue 2 audit: PATCH /api/outlooksettings/user over real HTTP with random attribute mixes. Whatever is
// sent, the server answers (never a 500), a refused PATCH stores nothing (same document, same ETag) and
// names every invalid attribute at once, and an accepted one stores exactly what was sent.
import fc from 'fast-check';
import { INTERVAL_MAX, isSettingKey, SETTING_KEYS, SETTING_OPTIONS, type SettingKey } from '../../src/settings';
import { api, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';

const USER = '/api/outlooksettings/user';

let t: TestCrm;
let alice: string;
beforeAll(async () => {
  t = await startTestCrm();
  alice = await tokenFor(t.crm, 'alice');
});
afterAll(async () => {
  await t.dispose();
});

/** Values a client might send for a key: valid ones and the typical mistakes. */
function valueFor(key: SettingKey): fc.Arbitrary<unknown> {
  const option = SETTING_OPTIONS.find((o) => o.key === key)!;
  const mistakes = fc.oneof(fc.constant(null), fc.constant(''), fc.constant('yes'), fc.double({ noNaN: true }), fc.boolean(), fc.constant([]));
  switch (option.type) {
    case 'choice':
      return fc.oneof(fc.constantFrom(...option.choices.map((c) => c.value)), fc.string({ maxLength: 6 }), mistakes);
    case 'integer':
      return fc.oneof(fc.integer({ min: 1, max: INTERVAL_MAX }), fc.integer({ min: -5, max: INTERVAL_MAX + 5 }), mistakes);
    case 'boolean':
      return fc.oneof(fc.boolean(), mistakes);
  }
}

const attribute = (key: SettingKey): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: valueFor(key).map((value) => ({ value, useParentScope: false })) },
    { weight: 2, arbitrary: valueFor(key).map((value) => ({ value })) },
    { weight: 2, arbitrary: fc.constant({ useParentScope: true }) },
    { weight: 1, arbitrary: fc.constantFrom({ useParentScope: 'no' }, null, 45, { value: 1, colour: 'x' }) },
  );

const attributes: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.subarray([...SETTING_KEYS], { minLength: 1 }),
    fc.boolean(), // add an unknown key
  )
  .chain(([keys, unknown]) =>
    fc.record(Object.fromEntries([...keys.map((k) => [k, attribute(k)] as const), ...(unknown ? [['colour', fc.constant({ value: 'blue' })] as const] : [])])),
  );

/** Which attributes a correct server must refuse, by its own rules (README "PATCH"). */
function invalidKeys(attrs: Record<string, unknown>): Set<string> {
  const bad = new Set<string>();
  for (const [key, attr] of Object.entries(attrs)) {
    if (!isSettingKey(key) || typeof attr !== 'object' || attr === null || Array.isArray(attr)) {
      bad.add(key);
      continue;
    }
    const a = attr as Record<string, unknown>;
    if (Object.keys(a).some((f) => !['value', 'useParentScope', 'parentValue', 'parentScope'].includes(f))) bad.add(key);
    if (a.useParentScope !== undefined && typeof a.useParentScope !== 'boolean') bad.add(key);
    else if (a.useParentScope !== true && !valid(key, a.value)) bad.add(key);
  }
  return bad;
}

function valid(key: SettingKey, value: unknown): boolean {
  const option = SETTING_OPTIONS.find((o) => o.key === key)!;
  if (option.type === 'choice') return option.choices.some((c) => c.value === value);
  if (option.type === 'boolean') return typeof value === 'boolean';
  return Number.isInteger(value) && (value as number) >= option.min && (value as number) <= option.max;
}

const keyOfPointer = (pointer: string) => /^\/data\/attributes\/([^/]+)/.exec(pointer)?.[1];

test('random PATCH mixes: refused ones store nothing and report every bad attribute; accepted ones store exactly what was sent', async () => {
  await fc.assert(
    fc.asyncProperty(attributes, async (attrs) => {
      const before = await api(t.crm, 'GET', USER, { token: alice });
      const res = await api(t.crm, 'PATCH', USER, { token: alice, body: { data: { type: 'outlooksettings', id: 'user', attributes: attrs } } });
      const after = await api(t.crm, 'GET', USER, { token: alice });
      const bad = invalidKeys(attrs);
      if (bad.size > 0) {
        expect(res.status).toBe(400);
        const reported = new Set(res.json.errors.map((e: { source: { pointer: string } }) => keyOfPointer(e.source.pointer)));
        expect(reported).toEqual(bad);
        for (const e of res.json.errors) expect(e).toMatchObject({ status: '400', title: expect.any(String), detail: expect.any(String) });
        expect(after.json).toEqual(before.json);
        expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
        return;
      }
      expect(res.status).toBe(200);
      expect(after.json).toEqual(res.json);
      for (const key of SETTING_KEYS) {
        const sent = attrs[key] as { value?: unknown; useParentScope?: boolean } | undefined;
        const now = after.json.data.attributes[key];
        if (!sent) expect(now).toEqual(before.json.data.attributes[key]);
        else if (sent.useParentScope === true) expect(now).toMatchObject({ useParentScope: true, value: now.parentValue });
        else expect(now).toMatchObject({ useParentScope: false, value: sent.value });
      }
    }),
    { numRuns: 80, seed: 20261126 },
  );
});
