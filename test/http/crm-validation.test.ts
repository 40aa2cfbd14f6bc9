// Issue 11, finding 6: what a stock Oro refuses, and how CrmSide copes. Sources: crm ContactBundle
// Resources/config/validation.yml (firstName/lastName Length max 100; birthday LessThanOrEqual "now UTC",
// "This value cannot be in the future."); OroCalendarBundle Entity/CalendarEvent (`uid` column length 36,
// no validator in Resources/config/validation.yml, so the database refuses a longer one: 500); platform
// ApiBundle update-list tests (an item that does not exist: 404 at `/data/N`).
import { DEMO_RUNNER_APP } from '../emulators/demo-data';
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import type { ContactRecord, EventRecord } from '../../src/sync/records';
import type { WriteOp } from '../../src/sync/side';
import { api as rawApi, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';
import { blankContact } from '../support/records';

let t: TestCrm;
let token: string;

beforeEach(async () => {
  t = await startTestCrm();
  token = await tokenFor(t.crm, 'alice');
});
afterEach(async () => {
  await t.dispose();
});

const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => rawApi(t.crm, method, path, { token, body, headers });
const contactDoc = (attributes: Record<string, unknown>) => ({ data: { type: 'contacts', attributes } });
const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const rest = async (method: string, path: string, body: unknown) => {
  const res = await fetch(`${t.crm.url}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.text()) || null };
};

function side(): CrmSide {
  const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'alice' });
  return new CrmSide({ http: new CrmHttp({ baseUrl: t.crm.url, tokens }) });
}

describe('the emulator refuses what Oro refuses', () => {
  test('a first or last name over 100 characters is a length constraint; 100 characters (emoji count once) are fine', async () => {
    const long = await api('POST', '/api/contacts', contactDoc({ firstName: 'a'.repeat(101) }));
    expect(long.status).toBe(400);
    expect(long.json.errors).toEqual([{ status: '400', title: 'length constraint', detail: 'This value is too long. It should have 100 characters or less.', source: { pointer: '/data/attributes/firstName' } }]);
    expect((await api('POST', '/api/contacts', contactDoc({ lastName: 'b'.repeat(101) }))).json.errors[0].source.pointer).toBe('/data/attributes/lastName');
    expect((await api('POST', '/api/contacts', contactDoc({ firstName: 'a'.repeat(100) }))).status).toBe(201);
    expect((await api('POST', '/api/contacts', contactDoc({ firstName: '😀'.repeat(100) }))).status).toBe(201);
    expect((await api('POST', '/api/contacts', contactDoc({ firstName: 'Ok', middleName: 'm'.repeat(200) }))).status).toBe(201); // only first and last
  });

  test('a birthday in the future is refused; today is fine', async () => {
    const future = await api('POST', '/api/contacts', contactDoc({ firstName: 'Future', birthday: tomorrow() }));
    expect(future.status).toBe(400);
    expect(future.json.errors).toEqual([{ status: '400', title: 'less than or equal constraint', detail: 'This value cannot be in the future.', source: { pointer: '/data/attributes/birthday' } }]);
    expect((await api('POST', '/api/contacts', contactDoc({ firstName: 'Today', birthday: today() }))).status).toBe(201);
  });

  test('in a sync batch, an update of a contact that does not exist is 404 at /data/N', async () => {
    const res = await api(
      'PATCH',
      '/api/contacts',
      { data: [{ type: 'contacts', id: 'n1', attributes: { firstName: 'New' } }, { type: 'contacts', id: '999999', meta: { update: true }, attributes: { firstName: 'Ghost' } }] },
      { 'X-Mode': 'sync' },
    );
    expect(res.status).toBe(404);
    expect(res.json.errors).toEqual([{ status: '404', title: 'not found http exception', detail: 'An entity with the requested identifier does not exist.', source: { pointer: '/data/1' } }]);
  });

  test('an event uid over 36 characters fails in the database (500); 36 are fine', async () => {
    const event = (uid: string) => ({ title: 'Call', start: '2026-05-01T10:00:00Z', end: '2026-05-01T11:00:00Z', uid });
    expect((await rest('POST', '/api/rest/latest/calendarevents', event('u'.repeat(37)))).status).toBe(500);
    expect((await rest('POST', '/api/rest/latest/calendarevents', event('u'.repeat(36)))).status).toBe(201);
  });
});

describe('CrmSide sends what Oro takes and reports the rest', () => {
  test('a name over 100 characters is stored shortened and reported; the other fields land', async () => {
    const s = side();
    const firstName = `Bartholomew${'x'.repeat(140)}`;
    const [result] = await s.apply('contact', [{ op: 'create', key: 'long-name', record: blankContact({ firstName, lastName: 'Long', jobTitle: 'Chief' }) }]);
    expect(result).toMatchObject({ ok: true, unsynced: { fields: ['firstName'], kept: { firstName: firstName.slice(0, 100) } } });
    const [stored] = await s.get('contact', [result.ok ? result.id : '']);
    expect(stored?.record).toMatchObject({ firstName: firstName.slice(0, 100), lastName: 'Long', jobTitle: 'Chief' });
    expect(result.ok && stored?.version).toBe(result.ok ? result.version : null);
  });

  test('a birthday in the future is not sent: a create has none, an update keeps Oro\'s, and both are reported', async () => {
    const s = side();
    const [created] = await s.apply('contact', [{ op: 'create', key: 'future-bday', record: blankContact({ firstName: 'Fay', lastName: 'Future', birthday: '2100-01-01' }) }]);
    expect(created).toMatchObject({ ok: true, unsynced: { fields: ['birthday'], kept: { birthday: null } } });
    const id = created.ok ? created.id : '';
    await s.apply('contact', [{ op: 'update', id, record: blankContact({ firstName: 'Fay', lastName: 'Future', birthday: '1980-05-06' }), fields: ['birthday'] }]);
    const [updated] = await s.apply('contact', [{ op: 'update', id, record: blankContact({ firstName: 'Faye', lastName: 'Future', birthday: '2100-01-01' }) }]);
    expect(updated).toMatchObject({ ok: true, unsynced: { fields: ['birthday'], kept: { birthday: '1980-05-06' } } });
    const [stored] = await s.get('contact', [id]);
    expect(stored?.record).toMatchObject({ firstName: 'Faye', birthday: '1980-05-06' });
  });

  test('a batch item Oro does not find is reported not_found, and the rest of the batch lands', async () => {
    const s = side();
    const ops: Array<WriteOp<ContactRecord>> = [
      { op: 'update', id: '999999', record: blankContact({ firstName: 'Ghost' }) },
      { op: 'create', key: 'beside-ghost', record: blankContact({ firstName: 'Real', lastName: 'One' }) },
    ];
    const results = await s.apply('contact', ops);
    expect(results[0]).toMatchObject({ ok: false, code: 'not_found' });
    expect(results[1].ok).toBe(true);
  });

  test('an event created with a key longer than 36 characters gets a uid that fits, and is found again by it', async () => {
    const s = side();
    const key = `outlook-event-${'k'.repeat(60)}`;
    const record: EventRecord = { title: 'Long key', start: '2026-05-01T10:00:00Z', end: '2026-05-01T11:00:00Z', allDay: false };
    const [made] = await s.apply('event', [{ op: 'create', key, record }]);
    expect(made.ok).toBe(true);
    const found = await s.findCreated('event', { op: 'create', key, record });
    expect(found?.id).toBe(made.ok ? made.id : null);
  });
});

