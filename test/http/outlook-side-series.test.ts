// The Outlook side reads and writes a recurring series as ONE item (src/outlook/series.ts): the master's
// fields, its rule, and its exceptions (moved, retitled, cancelled occurrences, by original start).
import type { EventRecord } from '../../src/sync/records';
import type { RecurrenceRule } from '../../src/sync/recurrence';
import type { SideItem, SyncSide } from '../../src/sync/side';
import { startGraph, type GraphFixture } from './outlook-side-support';

let g: GraphFixture;
beforeEach(async () => {
  g = await startGraph();
});
afterEach(async () => {
  await g.close();
});

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
/** The first Monday at least a week ahead (UTC date). */
const monday = today + (7 + ((8 - new Date(today).getUTCDay()) % 7)) * DAY;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const instant = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const week = (n: number, hour = 8) => instant(monday + n * 7 * DAY + hour * 3600_000);

const RULE: RecurrenceRule = {
  type: 'weekly', interval: 1, daysOfWeek: ['monday'], dayOfMonth: null, month: null, index: null, firstDayOfWeek: 'sunday',
  startDate: date(monday), endDate: null, occurrences: 6, timeZone: 'UTC',
};
const SERIES: EventRecord = { title: 'Team sync', start: week(0), end: week(0, 9), allDay: false, description: null, reminder: 15, recurrence: RULE, exceptions: [] };

async function round(side: SyncSide, checkpoint: string | null) {
  const changes = [];
  let cp = checkpoint;
  for (let i = 0; i < 50; i++) {
    const page = await side.readChanges('event', cp);
    changes.push(...page.changes);
    cp = page.checkpoint;
    if (page.done) break;
  }
  const items = changes.flatMap((c) => (c.kind === 'upsert' ? [c.item as SideItem<EventRecord>] : []));
  return { changes, items, checkpoint: cp as string };
}

async function call(http: ReturnType<GraphFixture["side"]>["http"], method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown) {
  const res = await http.request({ method, url, body, headers: { Prefer: 'outlook.timezone="UTC"' } });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as any;
}

async function instances(http: ReturnType<GraphFixture['side']>['http'], masterId: string) {
  const range = `startDateTime=${instant(monday - DAY)}&endDateTime=${instant(monday + 60 * DAY)}`;
  return (await call(http, 'GET', `/me/events/${masterId}/instances?${range}&$top=100`)).value as any[];
}

describe('Outlook side: recurring series', () => {
  test('a series made in Outlook, one occurrence moved and one cancelled, is read as one item with two exceptions', async () => {
    const { side, http } = g.side('alice', { seriesCheckEveryMs: 0 });
    const master = await call(http, 'POST', '/me/events', {
      subject: 'Team sync',
      start: { dateTime: week(0).slice(0, 19), timeZone: 'UTC' },
      end: { dateTime: week(0, 9).slice(0, 19), timeZone: 'UTC' },
      recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: date(monday), numberOfOccurrences: 6, recurrenceTimeZone: 'UTC' } },
    });
    const [, second, third] = await instances(http, master.id);
    await call(http, 'PATCH', `/me/events/${second.id}`, { subject: 'Team sync (moved)', start: { dateTime: week(1, 13).slice(0, 19), timeZone: 'UTC' }, end: { dateTime: week(1, 14).slice(0, 19), timeZone: 'UTC' } });
    await call(http, 'DELETE', `/me/events/${third.id}`);

    const { items, checkpoint } = await round(side, null);
    const ours = items.filter((i) => i.record.title === 'Team sync');
    expect(ours).toHaveLength(1);
    expect(items.some((i) => i.id === second.id || i.id === third.id)).toBe(false);
    expect(ours[0].id).toBe(master.id);
    expect(ours[0].record).toEqual({
      ...SERIES,
      exceptions: [
        { originalStart: week(1), cancelled: false, title: 'Team sync (moved)', start: week(1, 13), end: week(1, 14) },
        { originalStart: week(2), cancelled: true },
      ],
    });

    // Cancelling another occurrence later reaches the next round as the same one item.
    const fourth = (await instances(http, master.id)).find((i: any) => i.start.dateTime.startsWith(week(3).slice(0, 19)));
    await call(http, 'DELETE', `/me/events/${fourth.id}`);
    const next = await round(side, checkpoint);
    const again = next.items.filter((i) => i.id === master.id);
    expect(again).toHaveLength(1);
    expect(again[0].record.exceptions?.map((x) => [x.originalStart, x.cancelled])).toEqual([
      [week(1), false],
      [week(2), true],
      [week(3), true],
    ]);
    expect(next.items.filter((i) => i.id !== master.id && i.record.title.startsWith('Team sync'))).toEqual([]);
  });

  test('ordinary checks list the series masters (for cancellations delta may not show) at most every 5 minutes; full rounds always', async () => {
    let clock = Date.now();
    let listings = 0;
    const counting = (async (input: string | URL | Request, init?: RequestInit) => {
      if (decodeURIComponent(String(input)).includes("type eq 'seriesMaster'")) listings++;
      return fetch(input, init);
    }) as typeof fetch;
    const { side, http } = g.side('alice', { now: () => clock }, counting);
    await call(http, 'POST', '/me/events', {
      subject: 'Team sync',
      start: { dateTime: week(0).slice(0, 19), timeZone: 'UTC' },
      end: { dateTime: week(0, 9).slice(0, 19), timeZone: 'UTC' },
      recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'numbered', startDate: date(monday), numberOfOccurrences: 6, recurrenceTimeZone: 'UTC' } },
    });
    const listedBy = async (checkpoint: string | null) => {
      const before = listings;
      const { checkpoint: next } = await round(side, checkpoint);
      return { listed: listings - before, next };
    };

    const first = await listedBy(null);
    expect(first.listed).toBe(1);
    clock += 60_000;
    const soon = await listedBy(first.next);
    expect(soon.listed).toBe(0);
    clock += 4 * 60_000 - 1;
    const almost = await listedBy(soon.next);
    expect(almost.listed).toBe(0);
    clock += 1;
    const due = await listedBy(almost.next);
    expect(due.listed).toBe(1);
    clock += 1_000;
    const full = await listedBy(null);
    expect(full.listed).toBe(1);
  });

  test('a series check interval that is not a number of milliseconds is refused when the side is made', () => {
    expect(() => g.side('alice', { seriesCheckEveryMs: Number.NaN })).toThrow(/seriesCheckEveryMs must be 0 or more/);
    expect(() => g.side('alice', { seriesCheckEveryMs: -1 })).toThrow(/seriesCheckEveryMs must be 0 or more/);
  });

  test('a series written to Outlook becomes a master with its occurrences moved and cancelled, and reads back equal', async () => {
    const { side, http } = g.side('alice');
    const record: EventRecord = {
      ...SERIES,
      exceptions: [
        { originalStart: week(1), cancelled: false, start: week(1, 13), end: week(1, 14) },
        { originalStart: week(4), cancelled: true },
      ],
    };
    const [res] = await side.apply('event', [{ op: 'create', key: 'k1', record, crmId: '77' }]);
    if (!res.ok) throw new Error(res.message);
    const listed = await instances(http, res.id);
    expect(listed.map((i: any) => [i.type, i.start.dateTime.slice(0, 16)])).toEqual([
      ['occurrence', week(0).slice(0, 16)],
      ['exception', week(1, 13).slice(0, 16)],
      ['occurrence', week(2).slice(0, 16)],
      ['occurrence', week(3).slice(0, 16)],
      ['occurrence', week(5).slice(0, 16)],
    ]);
    const [read] = await side.get('event', [res.id]);
    expect(read?.record).toEqual(record);
    expect(read?.crmId).toBe('77');
    expect(read?.version).toBe(res.version);

    // An edit of the master's title keeps the exceptions as they are; an exception reset goes back to the rule.
    const edited: EventRecord = { ...record, title: 'Team sync v2', exceptions: [record.exceptions![1]] };
    const [upd] = await side.apply('event', [{ op: 'update', id: res.id, record: edited, fields: ['title', 'exceptions'] }]);
    if (!upd.ok) throw new Error(upd.message);
    const [after] = await side.get('event', [res.id]);
    expect(after?.record).toEqual(edited);
  });

  test('a series Outlook cannot hold is refused whole: an invalid, final result, and nothing is created', async () => {
    const { side, http } = g.side('alice');
    const record: EventRecord = { ...SERIES, title: 'No days', recurrence: { ...RULE, daysOfWeek: [] } };
    const [res] = await side.apply('event', [{ op: 'create', key: 'k2', record }]);
    expect(res).toEqual({ ok: false, code: 'invalid', retryable: false, message: expect.stringContaining("can't be synced to Outlook") });
    const all = (await call(http, 'GET', `/me/events?$top=500`)).value as any[];
    expect(all.filter((e) => e.subject === 'No days')).toEqual([]);
  });
});
