// Issue 2 audit: the outlooksettings error table of test/emulators/crm/README.md, row by row where the
// other tests leave it open: 406, and "checks run in this order; the first failing step answers".
import { api, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';

const USER = '/api/outlooksettings/user';
const ORG = '/api/outlooksettings/organization';
const doc = (id: string, attributes: Record<string, unknown>, type = 'outlooksettings') => ({ data: { type, id, attributes } });

let t: TestCrm;
let alice: string;
let admin: string;
beforeAll(async () => {
  t = await startTestCrm();
  [alice, admin] = await Promise.all([tokenFor(t.crm, 'alice'), tokenFor(t.crm, 'admin')]);
});
afterAll(async () => {
  await t.dispose();
});

/** What alice sees at user and organization scope, with the ETags: equal before and after means nothing was stored. */
async function snapshot(): Promise<unknown> {
  const user = await api(t.crm, 'GET', USER, { token: alice });
  const org = await api(t.crm, 'GET', ORG, { token: alice });
  return { user: user.json, userTag: user.headers.get('etag'), org: org.json, orgTag: org.headers.get('etag') };
}

describe('outlooksettings error table', () => {
  test('an Accept header offering the JSON:API type only with parameters answers 406', async () => {
    const res = await api(t.crm, 'GET', USER, { token: alice, headers: { Accept: 'application/vnd.api+json; ext=bulk' } });
    expect(res.status).toBe(406);
    expect(res.json.errors[0]).toMatchObject({ status: '406', title: 'not acceptable http exception' });
    expect((await api(t.crm, 'GET', USER, { token: alice, headers: { Accept: 'application/vnd.api+json, */*' } })).status).toBe(200);
  });

  test.each([
    ['401 before 404: no token on an unknown scope', null, 'PATCH', '/api/outlooksettings/team', {}, 401],
    ['404 before 415: an unknown scope with the wrong Content-Type', 'alice', 'PATCH', '/api/outlooksettings/team', { 'Content-Type': 'text/plain' }, 404],
    ['415 before 400: the wrong Content-Type with a body that is not JSON', 'alice', 'PATCH', USER, { 'Content-Type': 'application/json' }, 415],
  ] as const)('%s', async (_name, who, method, path, headers, status) => {
    const token = who === 'alice' ? alice : null;
    const before = await snapshot();
    const res = await api(t.crm, method, path, { token, body: '{not json', headers: { ...headers } });
    expect(res.status).toBe(status);
    expect(await snapshot()).toEqual(before);
  });

  test('409 before 403: a non-admin sending the wrong type to organization gets the conflict', async () => {
    const res = await api(t.crm, 'PATCH', ORG, { token: alice, body: doc('organization', {}, 'contacts') });
    expect(res.status).toBe(409);
  });

  test('403 before 412 and 400: a non-admin with a stale If-Match and bad values is refused access', async () => {
    const before = await snapshot();
    const res = await api(t.crm, 'PATCH', ORG, {
      token: alice,
      headers: { 'If-Match': '"999"' },
      body: doc('organization', { contacts_sync_interval_outlook: { value: 0 } }),
    });
    expect(res.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  test('412 before 400: an admin with a stale If-Match and bad values gets the precondition failure', async () => {
    const before = await snapshot();
    const res = await api(t.crm, 'PATCH', ORG, {
      token: admin,
      headers: { 'If-Match': '"999"' },
      body: doc('organization', { contacts_sync_interval_outlook: { value: 0 } }),
    });
    expect(res.status).toBe(412);
    expect(await snapshot()).toEqual(before);
  });

  test('an attribute that is not an object, and a non-boolean useParentScope, are reported together with bad values', async () => {
    const before = await snapshot();
    const res = await api(t.crm, 'PATCH', USER, {
      token: alice,
      body: doc('user', { contacts_enabled: 'false', tasks_enabled: { useParentScope: 'yes' }, contacts_sync_interval_orocrm: { value: 86400 } }),
    });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      expect.objectContaining({ title: 'request data constraint', source: { pointer: '/data/attributes/contacts_enabled' } }),
      expect.objectContaining({ title: 'type constraint', source: { pointer: '/data/attributes/tasks_enabled/useParentScope' } }),
      expect.objectContaining({ title: 'range constraint', source: { pointer: '/data/attributes/contacts_sync_interval_orocrm/value' } }),
    ]);
    expect(await snapshot()).toEqual(before);
  });

  test('parentValue and parentScope sent back as read are ignored; an unknown field of an attribute is refused', async () => {
    const read = await api(t.crm, 'GET', USER, { token: alice });
    const echoed = { ...read.json.data.attributes.tasks_enabled, value: false, useParentScope: false, parentValue: 'nonsense' };
    const ok = await api(t.crm, 'PATCH', USER, { token: alice, body: doc('user', { tasks_enabled: echoed }) });
    expect(ok.status).toBe(200);
    expect(ok.json.data.attributes.tasks_enabled).toEqual({ value: false, useParentScope: false, parentValue: true, parentScope: 'default' });
    const bad = await api(t.crm, 'PATCH', USER, { token: alice, body: doc('user', { tasks_enabled: { value: true, colour: 'red' } }) });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([expect.objectContaining({ title: 'extra fields constraint', source: { pointer: '/data/attributes/tasks_enabled/colour' } })]);
    expect((await api(t.crm, 'GET', USER, { token: alice })).json.data.attributes.tasks_enabled.value).toBe(false);
  });
});
