// Issue 3 audit: both sides against their emulators when the emulator does the write and then loses the
// answer (lostResponseRate). A create must never be duplicated, and every create must end up findable.
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import type { ContactRecord, EntityType, EventRecord, RecordOf, TaskRecord } from '../../src/sync/records';
import type { ChangePage, SyncSide, WriteOp, WriteResult } from '../../src/sync/side';
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, type TestCrm } from '../emulators/crm/testing';
import { blankContact } from '../support/records';
import { startGraph, type GraphFixture } from './outlook-side-support';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

const person = (n: number): ContactRecord => blankContact({ firstName: `Lost${n}`, lastName: 'Answer', emails: [`lost${n}@x.test`] });
const task = (n: number): TaskRecord => ({ subject: `Lost task ${n}`, priority: 'normal', dueDate: null, status: 'open' });
const day = 86_400_000;
const event = (n: number): EventRecord => {
  const start = Math.floor(Date.now() / day) * day + (n + 2) * day + 9 * 3600_000;
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return { title: `Lost event ${n}`, start: iso(start), end: iso(start + 3600_000), allDay: false };
};

/** What the engine does: apply; for any op that did not report success, look for it before sending it again. */
async function applyLikeTheEngine<T extends EntityType>(side: SyncSide, type: T, ops: Array<Extract<WriteOp<RecordOf<T>>, { op: 'create' }>>): Promise<WriteResult[]> {
  let results: WriteResult[];
  try {
    results = await side.apply(type, ops);
  } catch {
    results = ops.map(() => ({ ok: false, code: 'unavailable', message: 'apply threw', retryable: true }));
  }
  return results;
}

async function settle<T extends EntityType>(side: SyncSide, type: T, ops: Array<Extract<WriteOp<RecordOf<T>>, { op: 'create' }>>, results: WriteResult[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < ops.length; i++) {
    const r = results[i];
    if (r.ok) ids.push(r.id);
    else {
      const found = await side.findCreated(type, ops[i]);
      expect(found).not.toBeNull();
      ids.push(found!.id);
    }
  }
  return ids;
}

describe('Outlook side when Graph loses the answer after writing (lostResponseRate on $batch)', () => {
  let g: GraphFixture;
  beforeEach(async () => {
    g = await startGraph();
  });
  afterEach(async () => {
    await g.close();
  });

  const alice = async () => (await g.dump())['alice@acme.test'];

  test('stamped contacts are created once each', async () => {
    const { side } = g.side();
    await side.containers.contactFolderId();
    await g.faults({ lostResponseRate: 1, routeFilter: '$batch' });
    const ops = [0, 1, 2].map((n) => ({ op: 'create' as const, key: `c${n}`, record: person(n), crmId: `crm-c${n}` }));
    const results = await applyLikeTheEngine(side, 'contact', ops);
    expect((await g.stats()).injected.lostResponses).toBeGreaterThan(0);
    await g.faults({});
    const ids = await settle(side, 'contact', ops, results);
    const contacts = (await alice()).contact as Array<{ id: string; givenName: string; singleValueExtendedProperties: Array<{ id: string; value: string }> }>;
    for (let n = 0; n < 3; n++) {
      const made = contacts.filter((c) => c.givenName === `Lost${n}`);
      expect(made).toHaveLength(1);
      expect(made[0].id).toBe(ids[n]);
      expect(made[0].singleValueExtendedProperties.some((p) => p.id.endsWith('OroCRM_id') && p.value === `crm-c${n}`)).toBe(true);
    }
  });

  test('tasks stamped with a linkedResource are created once each', async () => {
    const { side } = g.side();
    await side.containers.todoListId();
    await g.faults({ lostResponseRate: 1, routeFilter: '$batch' });
    const ops = [0, 1].map((n) => ({ op: 'create' as const, key: `t${n}`, record: task(n), crmId: `crm-t${n}` }));
    const results = await applyLikeTheEngine(side, 'task', ops);
    await g.faults({});
    const ids = await settle(side, 'task', ops, results);
    const tasks = (await alice()).task as Array<{ id: string; title: string }>;
    for (let n = 0; n < 2; n++) {
      const made = tasks.filter((t) => t.title === `Lost task ${n}`);
      expect(made).toHaveLength(1);
      expect(made[0].id).toBe(ids[n]);
    }
  });

  test('events are created once each, even though their keyed POSTs are resent', async () => {
    const { side } = g.side();
    await g.faults({ lostResponseRate: 1, routeFilter: '$batch' });
    const ops = [0, 1].map((n) => ({ op: 'create' as const, key: `e-${n}-lost`, record: event(n), crmId: `crm-e${n}` }));
    const results = await applyLikeTheEngine(side, 'event', ops);
    await g.faults({});
    const ids = await settle(side, 'event', ops, results);
    const events = (await alice()).event as Array<{ id: string; subject: string; transactionId: string }>;
    for (let n = 0; n < 2; n++) {
      const made = events.filter((e) => e.subject === `Lost event ${n}`);
      expect(made).toHaveLength(1);
      expect(made[0]).toMatchObject({ id: ids[n], transactionId: `e-${n}-lost` });
    }
  });

  test('reads and writes complete under lost answers on every route, without duplicates', async () => {
    const { side } = g.side('alice', { pageSize: 2 });
    await side.containers.contactFolderId();
    await g.faults({ lostResponseRate: 0.3, seed: 5 });
    const ops = [0, 1, 2, 3].map((n) => ({ op: 'create' as const, key: `all${n}`, record: person(300 + n), crmId: `crm-all${n}` }));
    const results = await applyLikeTheEngine(side, 'contact', ops);
    let cp: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: ChangePage<ContactRecord> = await side.readChanges('contact', cp);
      cp = page.checkpoint;
      if (page.done) break;
    }
    expect((await g.stats()).injected.lostResponses).toBeGreaterThan(0);
    await g.faults({});
    await settle(side, 'contact', ops, results);
    const names = ((await alice()).contact as Array<{ givenName: string }>).map((c) => c.givenName).filter((n) => /^Lost3\d\d$/.test(n));
    expect(names.sort()).toEqual(ops.map((o) => o.record.firstName).sort());
  });

  test('under a seeded mix of lost answers, a dozen contact creates leave a dozen contacts', async () => {
    const { side } = g.side();
    await side.containers.contactFolderId();
    await g.faults({ lostResponseRate: 0.5, routeFilter: '$batch', seed: 3 });
    const ops = Array.from({ length: 12 }, (_, n) => ({ op: 'create' as const, key: `m${n}`, record: person(100 + n), crmId: `crm-m${n}` }));
    const results: WriteResult[] = [];
    for (let i = 0; i < ops.length; i += 2) results.push(...(await applyLikeTheEngine(side, 'contact', ops.slice(i, i + 2))));
    expect((await g.stats()).injected.lostResponses).toBeGreaterThan(0);
    expect(results.some((r) => r.ok)).toBe(true);
    await g.faults({});
    await settle(side, 'contact', ops, results);
    const names = ((await alice()).contact as Array<{ givenName: string }>).map((c) => c.givenName).filter((n) => /^Lost1\d\d$/.test(n));
    expect(names.sort()).toEqual(ops.map((o) => o.record.firstName).sort());
  });
});

describe('CRM side when Oro loses the answer after writing (lostResponseRate)', () => {
  let emu: CrmEmulator;
  let t: TestCrm;
  beforeEach(async () => {
    t = await startTestCrm();
    emu = t.crm;
  });
  afterEach(async () => {
    await t.dispose();
  });
  const faults = async (knobs: unknown) => {
    const res = await fetch(`${emu.url}/_control/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(knobs) });
    expect(res.status).toBe(200);
  };
  const crmSide = async () => {
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: emu.url, username: 'alice', password: 'alice' });
    const side = new CrmSide({ http: new CrmHttp({ baseUrl: emu.url, tokens }), retry: { attempts: 6, baseDelayMs: 1, maxDelayMs: 10 } });
    await side.findByCrmId('task', '1'); // signs in and learns the user before the faults start
    return side;
  };
  async function allOwn<T extends EntityType>(side: CrmSide, type: T): Promise<Array<RecordOf<T>>> {
    const out: Array<RecordOf<T>> = [];
    let cp: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: ChangePage<RecordOf<T>> = await side.readChanges(type, cp);
      for (const c of page.changes) if (c.kind === 'upsert') out.push(c.item.record);
      cp = page.checkpoint;
      if (page.done) return out;
    }
    throw new Error('round did not end');
  }

  test('contact creates in a sync batch are not duplicated (externalId)', async () => {
    const side = await crmSide();
    await faults({ lostResponseRate: 1, routeFilter: 'PATCH /api/contacts' });
    const ops = [0, 1, 2].map((n) => ({ op: 'create' as const, key: `cc${n}`, record: person(n) }));
    const results = await applyLikeTheEngine(side, 'contact', ops);
    await faults({});
    await settle(side, 'contact', ops, results);
    const contacts = await allOwn(side, 'contact');
    for (let n = 0; n < 3; n++) expect(contacts.filter((c) => c.firstName === `Lost${n}`)).toHaveLength(1);
  });

  test('a task create is not resent blindly; it is found again by its matching key', async () => {
    const side = await crmSide();
    await faults({ lostResponseRate: 1, routeFilter: 'PATCH /api/tasks' });
    const ops = [{ op: 'create' as const, key: 'tk0', record: task(0) }];
    const results = await applyLikeTheEngine(side, 'task', ops);
    await faults({});
    await settle(side, 'task', ops, results);
    expect((await allOwn(side, 'task')).filter((t) => t.subject === 'Lost task 0')).toHaveLength(1);
  });

  test('an event create is found by its uid and not duplicated', async () => {
    const side = await crmSide();
    await faults({ lostResponseRate: 1, routeFilter: 'POST /api/rest' });
    const ops = [{ op: 'create' as const, key: 'ev-lost-0', record: event(0) }];
    const results = await applyLikeTheEngine(side, 'event', ops);
    await faults({});
    await settle(side, 'event', ops, results);
    expect((await allOwn(side, 'event')).filter((e) => e.title === 'Lost event 0')).toHaveLength(1);
  });

  test('reads and writes complete under lost answers on every route, without duplicates', async () => {
    const side = await crmSide();
    await faults({ lostResponseRate: 0.3, seed: 5 });
    const before = (await allOwn(side, 'contact')).length;
    const ops = [0, 1, 2, 3].map((n) => ({ op: 'create' as const, key: `mix${n}`, record: person(200 + n) }));
    const results = await applyLikeTheEngine(side, 'contact', ops);
    const stats = (await (await fetch(`${emu.url}/_control/stats`)).json()) as { injected: { lostResponses: number } };
    expect(stats.injected.lostResponses).toBeGreaterThan(0);
    await faults({});
    await settle(side, 'contact', ops, results);
    expect(await allOwn(side, 'contact')).toHaveLength(before + 4);
  });
});
