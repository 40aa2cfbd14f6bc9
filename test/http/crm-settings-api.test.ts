// The outlooksettings extension and Oro's configuration API on the CRM emulator, over real HTTP.
import { api, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';

const USER = '/api/outlooksettings/user';
const ORG = '/api/outlooksettings/organization';
const GLOBAL = '/api/outlooksettings/global';

function patchBody(id: string, attributes: Record<string, unknown>, type = 'outlooksettings') {
  return { data: { type, id, attributes } };
}

let t: TestCrm;
let alice: string;
let bob: string;
let admin: string;

beforeEach(async () => {
  t = await startTestCrm();
  [alice, bob, admin] = await Promise.all([tokenFor(t.crm, 'alice'), tokenFor(t.crm, 'bob'), tokenFor(t.crm, 'admin')]);
});
afterEach(async () => {
  await t.dispose();
});

describe('GET /api/outlooksettings/{scope}', () => {
  test('answers 200 in JSON:API with an ETag and every key resolved for the caller', async () => {
    const res = await api(t.crm, 'GET', USER, { token: alice });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.api+json');
    expect(res.headers.get('etag')).toMatch(/^"\d+"$/);
    expect(res.json.data.type).toBe('outlooksettings');
    expect(res.json.data.id).toBe('user');
    expect(Object.keys(res.json.data.attributes)).toHaveLength(7);
    expect(res.json.data.attributes.contacts_sync_direction).toEqual({ value: 'Both', useParentScope: true, parentValue: 'Both', parentScope: 'default' });
    // The demo organization stores an Outlook interval of its own.
    expect(res.json.data.attributes.contacts_sync_interval_outlook).toEqual({ value: 60, useParentScope: true, parentValue: 60, parentScope: 'organization' });
  });

  test('organization and global are readable by any signed-in user', async () => {
    const org = await api(t.crm, 'GET', ORG, { token: bob });
    expect(org.status).toBe(200);
    expect(org.json.data.attributes.contacts_sync_interval_outlook).toEqual({ value: 60, useParentScope: false, parentValue: 30, parentScope: 'default' });
    const global = await api(t.crm, 'GET', GLOBAL, { token: bob });
    expect(global.status).toBe(200);
    expect(global.json.data.attributes.contacts_sync_interval_outlook).toEqual({ value: 30, useParentScope: true, parentValue: 30, parentScope: 'default' });
  });

  test('an unknown scope answers 404 with a JSON:API error', async () => {
    const res = await api(t.crm, 'GET', '/api/outlooksettings/team', { token: alice });
    expect(res.status).toBe(404);
    expect(res.json.errors[0]).toMatchObject({ status: '404', title: 'not found http exception' });
  });

  test('without a token, or with a bad one, answers 401 with an empty body', async () => {
    for (const token of [null, 'not-a-token']) {
      const res = await api(t.crm, 'GET', USER, { token });
      expect(res.status).toBe(401);
      expect(res.text).toBe('');
    }
  });

  test('an If-None-Match with the current ETag answers 304', async () => {
    const first = await api(t.crm, 'GET', USER, { token: alice });
    const again = await api(t.crm, 'GET', USER, { token: alice, headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});

describe('PATCH /api/outlooksettings/{scope}', () => {
  test('changes only the named attributes and answers the full resource with a new ETag', async () => {
    const before = await api(t.crm, 'GET', USER, { token: alice });
    const res = await api(t.crm, 'PATCH', USER, {
      token: alice,
      body: patchBody('user', { contacts_sync_interval_outlook: { value: 45, useParentScope: false }, tasks_enabled: { value: false } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const a = res.json.data.attributes;
    expect(a.contacts_sync_interval_outlook).toEqual({ value: 45, useParentScope: false, parentValue: 60, parentScope: 'organization' });
    expect(a.tasks_enabled).toEqual({ value: false, useParentScope: false, parentValue: true, parentScope: 'default' });
    expect(a.contacts_sync_direction).toEqual(before.json.data.attributes.contacts_sync_direction);
    const reread = await api(t.crm, 'GET', USER, { token: alice });
    expect(reread.json).toEqual(res.json);
  });

  test('useParentScope true deletes the scope\'s own value', async () => {
    await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', { contacts_sync_interval_outlook: { value: 45, useParentScope: false } }) });
    const res = await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', { contacts_sync_interval_outlook: { useParentScope: true } }) });
    expect(res.status).toBe(200);
    expect(res.json.data.attributes.contacts_sync_interval_outlook).toEqual({ value: 60, useParentScope: true, parentValue: 60, parentScope: 'organization' });
  });

  test('a user\'s values are their own: bob does not see alice\'s', async () => {
    await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', { contacts_enabled: { value: false } }) });
    const bobs = await api(t.crm, 'GET', USER, { token: bob });
    expect(bobs.json.data.attributes.contacts_enabled.value).toBe(true);
  });

  test('is atomic: one bad attribute means nothing is stored, and every bad attribute is reported', async () => {
    const before = await api(t.crm, 'GET', USER, { token: alice });
    const res = await api(t.crm, 'PATCH', USER, {
      token: alice,
      body: patchBody('user', {
        contacts_sync_interval_orocrm: { value: 300 },
        contacts_sync_interval_outlook: { value: 0 },
        contacts_sync_direction: { value: 'Sideways' },
        calendar_events_enabled: { value: 'yes' },
        colour: { value: 'blue' },
      }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/vnd.api+json');
    expect(res.json.errors).toEqual([
      {
        status: '400',
        title: 'range constraint',
        detail: 'Outlook Sync Interval (In Seconds): this value should be between 1 and 86399.',
        source: { pointer: '/data/attributes/contacts_sync_interval_outlook/value' },
      },
      expect.objectContaining({ status: '400', title: 'value constraint', source: { pointer: '/data/attributes/contacts_sync_direction/value' } }),
      expect.objectContaining({ status: '400', title: 'type constraint', source: { pointer: '/data/attributes/calendar_events_enabled/value' } }),
      { status: '400', title: 'extra fields constraint', detail: '"colour" is not an MS Outlook setting.', source: { pointer: '/data/attributes/colour' } },
    ]);
    const after = await api(t.crm, 'GET', USER, { token: alice });
    expect(after.json).toEqual(before.json);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
  });

  test('a missing value without useParentScope is a not blank constraint on the value', async () => {
    const res = await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', { tasks_enabled: { useParentScope: false } }) });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([expect.objectContaining({ title: 'not blank constraint', source: { pointer: '/data/attributes/tasks_enabled/value' } })]);
  });

  test('malformed JSON answers 400', async () => {
    const res = await api(t.crm, 'PATCH', USER, { token: alice, body: '{"data": ' });
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ status: '400', title: 'request data constraint' });
  });

  test('a body without data answers 400 pointing at /data', async () => {
    const res = await api(t.crm, 'PATCH', USER, { token: alice, body: { meta: {} } });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([expect.objectContaining({ status: '400', title: 'request data constraint', source: { pointer: '/data' } })]);
  });

  test('a type or id that does not match the URL answers 409', async () => {
    const wrongType = await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', {}, 'contacts') });
    expect(wrongType.status).toBe(409);
    expect(wrongType.json.errors).toEqual([expect.objectContaining({ status: '409', title: 'conflict constraint', source: { pointer: '/data/type' } })]);
    const wrongId = await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('organization', {}) });
    expect(wrongId.status).toBe(409);
    expect(wrongId.json.errors[0].source).toEqual({ pointer: '/data/id' });
  });

  test.each([
    ['application/json'],
    ['application/vnd.api+json; charset=UTF-8'],
    ['text/plain'],
  ])('Content-Type %s answers 415', async (contentType) => {
    const res = await api(t.crm, 'PATCH', USER, {
      token: alice,
      body: patchBody('user', { tasks_enabled: { value: false } }),
      headers: { 'Content-Type': contentType },
    });
    expect(res.status).toBe(415);
    expect(res.json.errors[0].status).toBe('415');
    expect((await api(t.crm, 'GET', USER, { token: alice })).json.data.attributes.tasks_enabled.value).toBe(true);
  });

  test('without a token answers 401 with an empty body and stores nothing', async () => {
    const res = await api(t.crm, 'PATCH', USER, { body: patchBody('user', { tasks_enabled: { value: false } }) });
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
    expect((await api(t.crm, 'GET', USER, { token: alice })).json.data.attributes.tasks_enabled.value).toBe(true);
  });

  test('an unknown scope answers 404', async () => {
    const res = await api(t.crm, 'PATCH', '/api/outlooksettings/team', { token: admin, body: patchBody('team', {}) });
    expect(res.status).toBe(404);
  });

  test.each([['organization'], ['global']])('a non-admin writing %s gets 403 and nothing is stored', async (scope) => {
    const path = `/api/outlooksettings/${scope}`;
    const before = await api(t.crm, 'GET', path, { token: alice });
    const res = await api(t.crm, 'PATCH', path, { token: alice, body: patchBody(scope, { contacts_enabled: { value: false } }) });
    expect(res.status).toBe(403);
    expect(res.json.errors[0]).toMatchObject({ status: '403', title: 'access denied exception' });
    expect((await api(t.crm, 'GET', path, { token: admin })).json).toEqual(before.json);
  });

  test('an administrator may write organization and global', async () => {
    const org = await api(t.crm, 'PATCH', ORG, { token: admin, body: patchBody('organization', { contacts_conflict_resolution: { value: 'OutlookAlwaysWins' } }) });
    expect(org.status).toBe(200);
    const global = await api(t.crm, 'PATCH', GLOBAL, { token: admin, body: patchBody('global', { contacts_sync_interval_orocrm: { value: 600 } }) });
    expect(global.status).toBe(200);
    expect(global.json.data.attributes.contacts_sync_interval_orocrm).toEqual({ value: 600, useParentScope: false, parentValue: 120, parentScope: 'default' });
  });

  test('organization values flow into the user\'s parentValue, global values too where the organization stores none', async () => {
    await api(t.crm, 'PATCH', ORG, { token: admin, body: patchBody('organization', { contacts_conflict_resolution: { value: 'OutlookAlwaysWins' } }) });
    await api(t.crm, 'PATCH', GLOBAL, { token: admin, body: patchBody('global', { contacts_sync_interval_orocrm: { value: 600 } }) });
    await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', { contacts_conflict_resolution: { value: 'OroCRMAlwaysWins' } }) });
    const a = (await api(t.crm, 'GET', USER, { token: alice })).json.data.attributes;
    expect(a.contacts_conflict_resolution).toEqual({ value: 'OroCRMAlwaysWins', useParentScope: false, parentValue: 'OutlookAlwaysWins', parentScope: 'organization' });
    expect(a.contacts_sync_interval_orocrm).toEqual({ value: 600, useParentScope: true, parentValue: 600, parentScope: 'global' });
  });

  test('a stale If-Match answers 412 and stores nothing; the current one succeeds', async () => {
    const read = await api(t.crm, 'GET', USER, { token: alice });
    const etag = read.headers.get('etag')!;
    const first = await api(t.crm, 'PATCH', USER, { token: alice, headers: { 'If-Match': etag }, body: patchBody('user', { tasks_enabled: { value: false } }) });
    expect(first.status).toBe(200);
    const stale = await api(t.crm, 'PATCH', USER, { token: alice, headers: { 'If-Match': etag }, body: patchBody('user', { contacts_enabled: { value: false } }) });
    expect(stale.status).toBe(412);
    expect(stale.json.errors[0].status).toBe('412');
    expect((await api(t.crm, 'GET', USER, { token: alice })).json.data.attributes.contacts_enabled.value).toBe(true);
    const current = await api(t.crm, 'PATCH', USER, {
      token: alice,
      headers: { 'If-Match': first.headers.get('etag')! },
      body: patchBody('user', { contacts_enabled: { value: false } }),
    });
    expect(current.status).toBe(200);
  });

  test('an organization change makes the user\'s ETag stale, since parentValue changed', async () => {
    const read = await api(t.crm, 'GET', USER, { token: alice });
    await api(t.crm, 'PATCH', ORG, { token: admin, body: patchBody('organization', { tasks_enabled: { value: false } }) });
    const res = await api(t.crm, 'PATCH', USER, { token: alice, headers: { 'If-Match': read.headers.get('etag')! }, body: patchBody('user', {}) });
    expect(res.status).toBe(412);
  });

  test('settings survive a restart on the same database file', async () => {
    await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', { contacts_sync_interval_outlook: { value: 45 } }) });
    await api(t.crm, 'PATCH', ORG, { token: admin, body: patchBody('organization', { contacts_sync_direction: { value: 'OroCRMToOutlook' } }) });
    const etag = (await api(t.crm, 'GET', USER, { token: alice })).headers.get('etag');
    await t.restart();
    // Access tokens live in the database too.
    const res = await api(t.crm, 'GET', USER, { token: alice });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.json.data.attributes.contacts_sync_interval_outlook.value).toBe(45);
    expect(res.json.data.attributes.contacts_sync_direction).toEqual({ value: 'OroCRMToOutlook', useParentScope: true, parentValue: 'OroCRMToOutlook', parentScope: 'organization' });
  });

  test('an unexpected failure answers a 500 JSON:API error and the server stays up', async () => {
    // Break the storage underneath the running server.
    t.crm.ctx.db.exec('ALTER TABLE config_values RENAME TO config_values_gone');
    const res = await api(t.crm, 'GET', USER, { token: alice });
    expect(res.status).toBe(500);
    expect(res.json.errors[0]).toMatchObject({ status: '500' });
    t.crm.ctx.db.exec('ALTER TABLE config_values_gone RENAME TO config_values');
    expect((await api(t.crm, 'GET', USER, { token: alice })).status).toBe(200);
  });
});

describe('the extension\'s section in Oro\'s configuration API (GET /api/configuration/outlook)', () => {
  test('shows the section with its options in Oro\'s wire format, createdAt null where the default applies', async () => {
    await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', { tasks_enabled: { value: false } }) });
    const res = await api(t.crm, 'GET', '/api/configuration/outlook?scope=user&include=options', { token: alice });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({ type: 'configuration', id: 'outlook' });
    expect(res.json.data.relationships.options.data).toHaveLength(7);
    expect(res.json.data.relationships.options.data[0]).toEqual({ type: 'configurationoptions', id: 'oro_crm_pro_outlook.contacts_sync_direction' });
    const byId = Object.fromEntries(res.json.included.map((o: any) => [o.id, o.attributes]));
    expect(byId['oro_crm_pro_outlook.contacts_sync_direction']).toEqual({ scope: 'user', dataType: 'string', value: 'Both', createdAt: null, updatedAt: null });
    expect(byId['oro_crm_pro_outlook.tasks_enabled']).toMatchObject({ scope: 'user', dataType: 'boolean', value: false });
    expect(byId['oro_crm_pro_outlook.tasks_enabled'].updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(byId['oro_crm_pro_outlook.contacts_sync_interval_outlook']).toMatchObject({ dataType: 'integer', value: 60 });
  });

  test('organization and global scopes show what is in effect there', async () => {
    await api(t.crm, 'PATCH', USER, { token: alice, body: patchBody('user', { contacts_sync_interval_outlook: { value: 45 } }) });
    const org = await api(t.crm, 'GET', '/api/configuration/outlook?scope=organization&include=options', { token: alice });
    const global = await api(t.crm, 'GET', '/api/configuration/outlook?scope=global&include=options', { token: alice });
    const value = (res: any) => res.json.included.find((o: any) => o.id === 'oro_crm_pro_outlook.contacts_sync_interval_outlook').attributes.value;
    expect(value(org)).toBe(60);
    expect(value(global)).toBe(30);
  });

  test('without include=options there is no included array', async () => {
    const res = await api(t.crm, 'GET', '/api/configuration/outlook', { token: alice });
    expect(res.status).toBe(200);
    expect(res.json.included).toBeUndefined();
  });

  test('an unknown section answers 404 and an unsupported parameter 400', async () => {
    expect((await api(t.crm, 'GET', '/api/configuration/look-and-feel', { token: alice })).status).toBe(404);
    const sort = await api(t.crm, 'GET', '/api/configuration/outlook?sort=id', { token: alice });
    expect(sort.status).toBe(400);
    expect(sort.json.errors[0]).toMatchObject({ title: 'filter constraint', source: { parameter: 'sort' } });
  });

  test('needs a Bearer token like every /api route', async () => {
    const res = await api(t.crm, 'GET', '/api/configuration/outlook');
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
  });
});

describe('stock Oro mode', () => {
  test('without the extension there are no MS Outlook settings at all: outlooksettings and the outlook configuration section answer 404', async () => {
    const stock = await startTestCrm({ stockOro: true });
    try {
      const token = await tokenFor(stock.crm, 'alice');
      expect((await api(stock.crm, 'GET', USER, { token })).status).toBe(404);
      // Oro 5–7 has no `outlook` section: the integration that defined it was removed in Oro 4.1.
      const section = await api(stock.crm, 'GET', '/api/configuration/outlook?include=options', { token });
      expect(section.status).toBe(404);
      expect(section.json.errors[0]).toMatchObject({ status: '404', title: 'not found http exception' });
      const sections = await api(stock.crm, 'GET', '/api/configuration', { token });
      expect(sections.status).toBe(200);
      expect(sections.json.data.map((s: { id: string }) => s.id)).not.toContain('outlook');
    } finally {
      await stock.dispose();
    }
  });
});
