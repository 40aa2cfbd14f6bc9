// `--oro-version`: the emulator plays one Oro release and refuses what it lacks (release.ts); the client
// finds out at connect with a feature probe and refuses to sync below its floor, naming the version needed.
import { CrmHttp } from '../../src/crm/http';
import { checkOroRelease, REQUIRED_ORO } from '../../src/crm/release-check';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import { featuresOf, parseOroVersion } from '../emulators/crm/release';
import { api, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

const SYNC = { 'X-Mode': 'sync', 'X-Include': 'noHateoas' };
const contact = (attributes: Record<string, unknown>) => ({ type: 'contacts', id: 'new0', attributes });
const task = { type: 'tasks', id: 'new0', attributes: { subject: 'Call' }, relationships: { taskPriority: { data: { type: 'taskpriorities', id: 'normal' } }, status: { data: { type: 'taskstatuses', id: 'open' } } } };

async function withRelease<T>(oroVersion: string | undefined, run: (t: TestCrm, token: string) => Promise<T>): Promise<T> {
  const t = await startTestCrm(oroVersion ? { oroVersion } : {});
  try {
    return await run(t, await tokenFor(t.crm, 'alice'));
  } finally {
    await t.dispose();
  }
}

describe('the release table', () => {
  test.each([
    ['7.0', { syncBatch: true, taskUpdateList: true, contactExternalId: true }],
    ['7.0.1', { syncBatch: true, taskUpdateList: true, contactExternalId: false }],
    ['6.1', { syncBatch: true, taskUpdateList: true, contactExternalId: true }],
    ['6.1.9', { syncBatch: true, taskUpdateList: true, contactExternalId: false }],
    ['6.0.4', { syncBatch: true, taskUpdateList: true, contactExternalId: false }],
    ['6.0.3', { syncBatch: false, taskUpdateList: false, contactExternalId: false }],
    ['5.1', { syncBatch: false, taskUpdateList: false, contactExternalId: false }],
  ])('Oro %s', (version, features) => {
    expect(featuresOf(parseOroVersion(version))).toEqual(features);
  });

  test('a line without a patch plays its newest known patch; nonsense is refused', () => {
    expect(parseOroVersion('6.1')).toEqual({ major: 6, minor: 1, patch: 10 });
    expect(() => parseOroVersion('seven')).toThrow(/--oro-version needs a version such as 7.0/);
  });
});

describe('the emulator as an older release', () => {
  test('the default (7.0) has externalId, the sync batch and tasks update_list', async () => {
    await withRelease(undefined, async (t, token) => {
      const created = await api(t.crm, 'PATCH', '/api/contacts', { token, headers: SYNC, body: { data: [contact({ firstName: 'Ann', externalId: 'ext-1' })] } });
      expect(created.status).toBe(200);
      expect((created.json as any).data[0].attributes.externalId).toBe('ext-1');
      expect((await api(t.crm, 'PATCH', '/api/tasks', { token, headers: SYNC, body: { data: [task] } })).status).toBe(200);
    });
  });

  test('6.1.9 has no contact externalId: filter, attribute and upsert are refused, and documents do not show it', async () => {
    await withRelease('6.1.9', async (t, token) => {
      const filter = await api(t.crm, 'GET', '/api/contacts?filter[externalId]=x', { token });
      expect(filter.status).toBe(400);
      expect((filter.json as any).errors[0]).toMatchObject({ title: 'filter constraint', source: { parameter: 'filter[externalId]' } });

      const write = await api(t.crm, 'PATCH', '/api/contacts', { token, headers: SYNC, body: { data: [contact({ firstName: 'A' }), contact({ firstName: 'B', externalId: 'e' })] } });
      expect(write.status).toBe(400);
      expect((write.json as any).errors).toEqual([expect.objectContaining({ title: 'extra fields constraint', source: { pointer: '/data/1/attributes' } })]);
      const post = await api(t.crm, 'POST', '/api/contacts', { token, body: { data: contact({ firstName: 'C', externalId: 'e' }) } });
      expect(post.status).toBe(400);

      const plain = await api(t.crm, 'POST', '/api/contacts', { token, body: { data: contact({ firstName: 'D' }) } });
      expect(plain.status).toBe(201);
      expect((plain.json as any).data.attributes).not.toHaveProperty('externalId');
      const list = await api(t.crm, 'GET', '/api/contacts', { token });
      expect((list.json as any).data.every((c: any) => !('externalId' in c.attributes))).toBe(true);
    });
  });

  test('6.0.3 has no synchronous batch and no tasks update_list', async () => {
    await withRelease('6.0.3', async (t, token) => {
      const contacts = await api(t.crm, 'PATCH', '/api/contacts', { token, headers: SYNC, body: { data: [contact({ firstName: 'A' })] } });
      expect(contacts.status).not.toBe(200); // X-Mode means nothing here: not the synchronous batch
      const tasks = await api(t.crm, 'PATCH', '/api/tasks', { token, headers: SYNC, body: { data: [task] } });
      expect(tasks.status).toBe(405);
      expect(tasks.headers.get('Allow')).toBe('GET, POST, DELETE');
      expect((tasks.json as any).errors[0].title).toBe('action not allowed exception');
    });
  });
});

describe('the client at connect', () => {
  const check = (t: TestCrm) =>
    checkOroRelease(new CrmHttp({ baseUrl: t.crm.url, tokens: new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'alice' }) }));

  test.each(['7.0', '7.0.2', '6.1', '6.1.10'])('Oro %s is new enough', async (version) => {
    await withRelease(version, async (t) => expect(await check(t)).toEqual({ ok: true }));
  });

  test.each(['7.0.1', '6.1.9', '6.0.4', '5.1'])('Oro %s is refused with a message naming the version needed', async (version) => {
    await withRelease(version, async (t) => {
      const result = await check(t);
      expect(result).toEqual({ ok: false, message: expect.stringContaining(REQUIRED_ORO) });
      expect((result as { message: string }).message).toMatch(/6\.1\.10.*7\.0\.2/);
    });
  });
});
