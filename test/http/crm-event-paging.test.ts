// Issue 11, finding 8: the legacy event list has no ORDER BY in page/limit mode (OroCalendarBundle
// Controller/Api/Rest/CalendarEventController::cgetAction builds
// CalendarEventRepository::getUserEventListByRecurringEventQueryBuilder, which never orders, then
// setFirstResult/setMaxResults; only start/end mode orders, by `c.id, e.start`). The emulator's quirk
// unstableEventOrder (on, as a stock Oro) orders each listing its own way; CrmSide still reads every
// event exactly once.
import { DEMO_RUNNER_APP } from '../emulators/demo-data';
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import type { EntityType } from '../../src/sync/records';
import { startTestCrm, tokenFor, type TestCrm, setQuirks } from '../emulators/crm/testing';

let t: TestCrm;
let token: string;
let clock: Date;

beforeEach(async () => {
  clock = new Date('2026-03-01T10:00:00Z');
  t = await startTestCrm({ now: () => clock });
  token = await tokenFor(t.crm, 'alice');
});
afterEach(async () => {
  await t.dispose();
});

async function rest(method: string, pathname: string, body?: unknown): Promise<any> {
  const res = await fetch(`${t.crm.url}${pathname}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}
const quirk = (quirks: Record<string, unknown>) => setQuirks(t.crm, quirks);

async function addEvents(n: number, prefix: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = new Date(Date.UTC(2026, 5, 1 + i, 9)).toISOString();
    const end = new Date(Date.UTC(2026, 5, 1 + i, 10)).toISOString();
    ids.push((await rest('POST', '/api/rest/latest/calendarevents', { title: `${prefix} ${i}`, start, end })).id as number);
  }
  return ids;
}

/** Pages 1..⌈total/limit⌉ by number, as a naive client reads them: how often each id came back. */
async function pagesByNumber(calendar: number, limit: number, total: number): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  for (let page = 1; (page - 1) * limit < total; page++) {
    for (const e of await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&page=${page}&limit=${limit}`)) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
  }
  return seen;
}

/** How often each event id came back as an upsert in one round. */
async function roundCounts(s: CrmSide, checkpoint: string | null): Promise<{ counts: Map<string, number>; checkpoint: string; pages: number }> {
  const counts = new Map<string, number>();
  let cp = checkpoint;
  for (let pages = 1; ; pages++) {
    const page = await s.readChanges('event' as EntityType, cp);
    for (const c of page.changes) if (c.kind === 'upsert') counts.set(c.item.id, (counts.get(c.item.id) ?? 0) + 1);
    cp = page.checkpoint;
    if (page.done) return { counts, checkpoint: cp, pages };
  }
}

function side(pageSize: number): CrmSide {
  const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'alice' });
  return new CrmSide({ http: new CrmHttp({ baseUrl: t.crm.url, tokens }), pageSize, now: () => clock.getTime() });
}

describe('the emulator pages legacy events in no stable order, as Oro does', () => {
  test('pages by number repeat some events and miss others; with the quirk off they follow ids', async () => {
    const calendar = (await rest('GET', '/api/rest/latest/calendars/default')).calendar as number;
    await addEvents(25, 'Paged');
    const all = (await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&page=1&limit=1000`)) as Array<{ id: number }>;
    const unstable = await pagesByNumber(calendar, 10, all.length);
    expect([...unstable.values()].some((n) => n > 1) || unstable.size < all.length).toBe(true);

    await quirk({ unstableEventOrder: false });
    const stable = await pagesByNumber(calendar, 10, all.length);
    expect(stable.size).toBe(all.length);
    expect([...stable.values()].every((n) => n === 1)).toBe(true);
    const first = (await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&page=1&limit=3`)) as Array<{ id: number }>;
    expect(first.map((e) => e.id)).toEqual(all.map((e) => e.id).sort((a, b) => a - b).slice(0, 3));
  });

  test('start/end mode stays ordered by start (it is Oro\'s only ORDER BY)', async () => {
    const calendar = (await rest('GET', '/api/rest/latest/calendars/default')).calendar as number;
    await addEvents(6, 'Windowed');
    const window = (await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&start=2026-06-01T00:00:00Z&end=2026-07-01T00:00:00Z`)) as Array<{ start: string }>;
    expect(window.map((e) => e.start)).toEqual([...window.map((e) => e.start)].sort());
    expect(window).toHaveLength(6);
  });
});

describe('CrmSide reads every event exactly once from unordered pages', () => {
  test('a full round (one start/end listing of the calendar window, which Oro orders) hands out each event once', async () => {
    await addEvents(25, 'Full');
    const calendar = (await rest('GET', '/api/rest/latest/calendars/default')).calendar as number;
    const all = (await rest('GET', `/api/rest/latest/calendarevents?calendar=${calendar}&page=1&limit=1000`)) as Array<{ id: number }>;
    const { counts } = await roundCounts(side(10), null);
    expect([...counts.keys()].sort()).toEqual(all.map((e) => String(e.id)).sort());
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
  });

  test('an incremental round of more changes than a page reads each changed event once, and nothing else', async () => {
    const ids = await addEvents(8, 'Base');
    const s = side(5);
    const first = await roundCounts(s, null);
    clock = new Date('2026-03-01T10:05:00Z');
    const more = await addEvents(9, 'Later');
    for (const id of ids.slice(0, 4)) await rest('PUT', `/api/rest/latest/calendarevents/${id}`, { title: `Edited ${id}` });
    const next = await roundCounts(s, first.checkpoint);
    expect(next.pages).toBeGreaterThanOrEqual(3);
    expect([...next.counts.keys()].sort()).toEqual([...more, ...ids.slice(0, 4)].map(String).sort());
    expect([...next.counts.values()].filter((n) => n !== 1)).toEqual([]);
  });

  test('a side restarted mid-round (no listing in memory) still hands out each event once', async () => {
    const before = await roundCounts(side(5), null);
    clock = new Date('2026-03-01T10:05:00Z');
    const added = await addEvents(12, 'Restart');
    // The incremental round's first page: the removals read, then the first slice of changed events.
    let firstPage = await side(5).readChanges('event', before.checkpoint);
    while (!firstPage.changes.some((c) => c.kind === 'upsert')) firstPage = await side(5).readChanges('event', firstPage.checkpoint);
    expect(firstPage.done).toBe(false);
    const rest1 = await roundCounts(side(5), firstPage.checkpoint);
    const counts = new Map(rest1.counts);
    for (const c of firstPage.changes) if (c.kind === 'upsert') counts.set(c.item.id, (counts.get(c.item.id) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(added.map(String).sort());
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
  });
});
