// CrmSide's request count when polling (issue 4, "An idle cycle"): one list request per type, and
// one removals read (audit log) per cycle for all types, without losing a record or a deletion.
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, type TestCrm } from '../emulators/crm/testing';
import { CrmHttp } from '../../src/crm/http';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import { CrmSide } from '../../src/crm/side';
import type { Change } from '../../src/sync/side';
import type { ContactRecord, EntityType } from '../../src/sync/records';
import { blankContact } from '../support/records';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

let emu: CrmEmulator;
let t: TestCrm;
let clock: Date;
let sent: string[] = [];

beforeEach(async () => {
  clock = new Date('2026-03-01T10:00:00Z');
  t = await startTestCrm({ now: () => clock });
  emu = t.crm;
  sent = [];
});
afterEach(async () => {
  await t.dispose();
});

function side(pageSize?: number): CrmSide {
  const counting = (input: string, init?: RequestInit) => {
    if (!input.includes('/oauth2-token')) sent.push(decodeURIComponent(input.slice(emu.url.length)));
    return fetch(input, init);
  };
  const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: emu.url, username: 'alice', password: 'alice' });
  return new CrmSide({ http: new CrmHttp({ baseUrl: emu.url, tokens, fetch: counting as typeof fetch }), pageSize });
}

const TYPES: EntityType[] = ['contact', 'task', 'event'];

/** One poll of a type: every page until done. */
async function poll(s: CrmSide, type: EntityType, checkpoint: string | null): Promise<{ changes: Array<Change<unknown>>; checkpoint: string }> {
  const changes: Array<Change<unknown>> = [];
  let cp = checkpoint;
  for (;;) {
    const page = await s.readChanges(type, cp);
    changes.push(...page.changes);
    cp = page.checkpoint;
    if (page.done) return { changes, checkpoint: cp };
  }
}

async function settledCheckpoints(s: CrmSide): Promise<Record<EntityType, string>> {
  const out = {} as Record<EntityType, string>;
  for (const type of TYPES) out[type] = (await poll(s, type, null)).checkpoint;
  return out;
}

const person = (firstName: string): ContactRecord => blankContact({ firstName, lastName: 'Idle', emails: [`${firstName.toLowerCase()}@example.test`] });

describe('CrmSide polling', () => {
  test('an idle poll of contacts, tasks and events sends one list request per type and one removals read for all three', async () => {
    const s = side();
    const cps = await settledCheckpoints(s);
    clock = new Date(clock.getTime() + 60_000);
    sent = [];
    for (const type of TYPES) expect((await poll(s, type, cps[type])).changes).toEqual([]);
    const audits = sent.filter((p) => p.startsWith('/api/rest/latest/audits'));
    expect(audits).toHaveLength(1);
    expect(audits[0]).not.toContain('objectClass');
    expect(sent.filter((p) => p.startsWith('/api/contacts'))).toHaveLength(1);
    expect(sent.filter((p) => p.startsWith('/api/tasks'))).toHaveLength(1);
    expect(sent.filter((p) => p.startsWith('/api/rest/latest/calendarevents'))).toHaveLength(1);
    expect(sent).toHaveLength(4);
  });

  test('the shared removals read still gives each type its own deletions, and the next cycle reads again', async () => {
    const s = side();
    const created = await s.apply('contact', [{ op: 'create', key: 'idle-a', record: person('Ava') }]);
    expect(created[0].ok).toBe(true);
    const contactId = (created[0] as { id: string }).id;
    const cps = await settledCheckpoints(s);
    const tasks = (await poll(s, 'task', null)).changes.filter((c) => c.kind === 'upsert');
    const taskId = (tasks[0] as { item: { id: string } }).item.id;

    clock = new Date(clock.getTime() + 60_000);
    expect((await s.apply('contact', [{ op: 'delete', id: contactId }]))[0].ok).toBe(true);
    expect((await s.apply('task', [{ op: 'delete', id: taskId }]))[0].ok).toBe(true);

    const next = {} as Record<EntityType, string>;
    const seen = {} as Record<EntityType, Array<Change<unknown>>>;
    for (const type of TYPES) {
      const r = await poll(s, type, cps[type]);
      next[type] = r.checkpoint;
      seen[type] = r.changes;
    }
    expect(seen.contact).toContainEqual({ kind: 'delete', id: contactId });
    expect(seen.task).toContainEqual({ kind: 'delete', id: taskId });
    expect(seen.event.filter((c) => c.kind === 'delete')).toEqual([]);

    // A second cycle reads the log again and does not report the same removals twice.
    sent = [];
    for (const type of TYPES) expect((await poll(s, type, next[type])).changes).toEqual([]);
    expect(sent.filter((p) => p.startsWith('/api/rest/latest/audits'))).toHaveLength(1);
  });

  test('records sharing the boundary second are read once each, across pages and polls', async () => {
    const s = side(2);
    const cp = (await poll(s, 'contact', null)).checkpoint;
    clock = new Date(clock.getTime() + 60_000);
    // Five contacts in one second: more than a page, so the boundary second continues by id.
    const made = await s.apply('contact', ['Ben', 'Cy', 'Dot', 'Eve', 'Fay'].map((n, i) => ({ op: 'create' as const, key: `b-${i}`, record: person(n) })));
    const ids = made.map((r) => (r as { id: string }).id).sort();
    const first = await poll(s, 'contact', cp);
    const read = first.changes.filter((c) => c.kind === 'upsert').map((c) => (c as { item: { id: string } }).item.id);
    expect([...read].sort()).toEqual(ids);
    expect(new Set(read).size).toBe(read.length);
    // Nothing changed since: the next poll re-reads the boundary second but reports nothing.
    expect((await poll(s, 'contact', first.checkpoint)).changes.filter((c) => c.kind === 'upsert')).toEqual([]);
  });
});
