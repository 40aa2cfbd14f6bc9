// Issue 3 audit: the Outlook side's time-zone handling against the Graph emulator's Prefer: outlook.timezone.
import type { FetchLike } from '../../src/outlook/graph-http';
import type { EventRecord } from '../../src/sync/records';
import type { ChangePage, SyncSide } from '../../src/sync/side';
import { blankContact } from '../support/records';
import { startGraph, type GraphFixture } from './outlook-side-support';

let g: GraphFixture;
beforeEach(async () => {
  g = await startGraph();
});
afterEach(async () => {
  await g.close();
});

const day = 86_400_000;
const today = Math.floor(Date.now() / day) * day;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const records: EventRecord[] = [
  { title: 'Morning call', start: iso(today + 3 * day + 7 * 3600_000), end: iso(today + 3 * day + 8 * 3600_000), allDay: false, description: null, reminder: null },
  // 02:30 UTC is the previous evening in Pacific time: a zone bug would move it a day.
  { title: 'Late call', start: iso(today + 4 * day + 2.5 * 3600_000), end: iso(today + 4 * day + 3.5 * 3600_000), allDay: false, description: null, reminder: null },
  { title: 'Offsite', start: date(today + 5 * day), end: date(today + 7 * day), allDay: true, description: null, reminder: null },
];

/** A fetch that records what the side asked for and, optionally, swaps its time-zone preference. */
function watching(swapTo?: string): { fetch: FetchLike; preferences: string[]; answersInZone: () => number; ifMatch: string[] } {
  const preferences: string[] = [];
  const ifMatch: string[] = [];
  let zoned = 0;
  const fetchImpl: FetchLike = async (input, init) => {
    const headers = { ...((init?.headers as Record<string, string> | undefined) ?? {}) };
    let body = init?.body;
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'if-match') ifMatch.push(`${init?.method} ${input}`);
    const isEventRead = /calendarView|\/events/.test(input);
    if (isEventRead) preferences.push(headers.Prefer ?? '(none)');
    if (typeof body === 'string' && body.includes('"requests"')) {
      for (const r of (JSON.parse(body) as { requests: Array<{ method: string; url: string; headers?: Record<string, string> }> }).requests) {
        if (r.method === 'GET' && /events/.test(r.url)) preferences.push(r.headers?.Prefer ?? '(none)');
        for (const k of Object.keys(r.headers ?? {})) if (k.toLowerCase() === 'if-match') ifMatch.push(`${r.method} ${r.url}`);
      }
    }
    if (swapTo) {
      const swap = (s: string) => s.replace('outlook.timezone="UTC"', `outlook.timezone="${swapTo}"`);
      if (headers.Prefer) headers.Prefer = swap(headers.Prefer);
      if (typeof body === 'string') body = body.split('outlook.timezone=\\"UTC\\"').join(`outlook.timezone=\\"${swapTo}\\"`);
    }
    const res = await fetch(input, { ...init, headers, body });
    const text = await res.text();
    if (swapTo && text.includes(`"timeZone":"${swapTo}"`)) zoned++;
    return new Response(text, { status: res.status, headers: res.headers });
  };
  return { fetch: fetchImpl, preferences, answersInZone: () => zoned, ifMatch };
}

async function fullRound(side: SyncSide): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  let cp: string | null = null;
  for (let i = 0; i < 200; i++) {
    const page: ChangePage<EventRecord> = await side.readChanges('event', cp);
    for (const c of page.changes) if (c.kind === 'upsert') out.push(c.item.record);
    cp = page.checkpoint;
    if (page.done) return out;
  }
  throw new Error('round did not end');
}

const mine = (all: EventRecord[]) => all.filter((r) => records.some((x) => x.title === r.title)).sort((a, b) => a.title.localeCompare(b.title));
const expected = [...records].sort((a, b) => a.title.localeCompare(b.title));

describe('Outlook side and event time zones over the emulator', () => {
  test('every event read asks Graph for UTC, in plain requests and inside $batch', async () => {
    const { side } = g.side();
    const ids = (await side.apply('event', records.map((record, n) => ({ op: 'create' as const, key: `tz-${n}`, record })))).map((r) => (r.ok ? r.id : ''));
    const watch = watching();
    const { side: reader } = g.side('alice', { pageSize: 2 }, watch.fetch);
    await fullRound(reader);
    await reader.get('event', ids);
    await reader.findByKey('event', records[0]);
    expect(watch.preferences.length).toBeGreaterThan(3);
    for (const p of watch.preferences) expect(p).toContain('outlook.timezone="UTC"');
  });

  test('answers in Pacific Standard Time read as the same UTC instants and all-day dates', async () => {
    const { side } = g.side();
    const results = await side.apply('event', records.map((record, n) => ({ op: 'create' as const, key: `pst-${n}`, record })));
    const ids = results.map((r) => (r.ok ? r.id : ''));
    const watch = watching('Pacific Standard Time');
    const { side: reader } = g.side('alice', { pageSize: 2 }, watch.fetch);
    expect(mine(await fullRound(reader))).toEqual(expected);
    expect((await reader.get('event', ids)).map((i) => i?.record)).toEqual(records);
    expect(await reader.findByKey('event', records[1])).toHaveLength(1);
    expect(watch.answersInZone()).toBeGreaterThan(0);
  });

  test('answers in an IANA zone with daylight saving read the same too', async () => {
    const { side } = g.side();
    const results = await side.apply('event', records.map((record, n) => ({ op: 'create' as const, key: `ny-${n}`, record })));
    const watch = watching('America/New_York');
    const { side: reader } = g.side('alice', {}, watch.fetch);
    expect((await reader.get('event', results.map((r) => (r.ok ? r.id : '')))).map((i) => i?.record)).toEqual(records);
    expect(watch.answersInZone()).toBeGreaterThan(0);
  });

  test('updates, deletes and stamp changes never send If-Match (Graph does not document it, graph-api.md §9)', async () => {
    const watch = watching();
    const { side } = g.side('alice', {}, watch.fetch);
    const contact = blankContact({ firstName: 'If', lastName: 'Match' });
    const [c] = await side.apply('contact', [{ op: 'create', key: 'im-c', record: contact, crmId: '1' }]);
    const [t] = await side.apply('task', [{ op: 'create', key: 'im-t', record: { subject: 'If-Match', priority: 'low', dueDate: null, status: 'open' }, crmId: '2' }]);
    const [e] = await side.apply('event', [{ op: 'create', key: 'im-e', record: records[0] }]);
    const id = (r: typeof c) => (r.ok ? r.id : 'missing');
    expect((await side.apply('contact', [{ op: 'update', id: id(c), record: { ...contact, jobTitle: 'X' }, crmId: '3' }]))[0].ok).toBe(true);
    expect((await side.apply('task', [{ op: 'update', id: id(t), record: { subject: 'If-Match 2', priority: 'high', dueDate: null, status: 'closed' }, crmId: '4' }]))[0].ok).toBe(true);
    expect((await side.apply('event', [{ op: 'update', id: id(e), record: { ...records[0], title: 'Moved' }, crmId: null }]))[0].ok).toBe(true);
    const deleted = await Promise.all([
      side.apply('contact', [{ op: 'delete', id: id(c) }]),
      side.apply('task', [{ op: 'delete', id: id(t) }]),
      side.apply('event', [{ op: 'delete', id: id(e) }]),
    ]);
    expect(deleted.flat().every((r) => r.ok)).toBe(true);
    expect(watch.ifMatch).toEqual([]);
  });
});
