// The outlooksyncstate extension on the CRM emulator, and the client's SharedStateStore over it, over
// real HTTP: writes are fenced by the live lease's token, a new holder pulls what the last one wrote.
import { CrmHttp } from '../../src/crm/http';
import { CrmLeaseBackend, CrmSharedState } from '../../src/crm/lease-client';
import { StaticTokens } from '../../src/crm/tokens';
import { openMemoryStore } from '../../src/store/memory-store';
import { SharedStateFencedError, SharedStateStore } from '../../src/store/shared-state';
import { SyncLease } from '../../src/sync/lease';
import type { Relation } from '../../src/store/types';
import { api, startTestCrm, TestClock, tokenFor, type TestCrm } from '../emulators/crm/testing';

const MAILBOX = 'alice@example.com';
const IDENTITY = { crmUrl: 'http://crm.test', crmUser: 'alice', mailbox: MAILBOX };
const STATE = '/api/outlooksyncstate/alice%40example.com';
const LEASE = '/api/outlooksynclease/alice%40example.com';
const stateBody = (attributes: Record<string, unknown>) => ({ data: { type: 'outlooksyncstate', id: MAILBOX, attributes } });
const relation = (crmId: string, outlookId: string): Relation =>
  ({ type: 'contact', crmId, outlookId, base: { firstName: crmId }, crmVersion: '1', outlookVersion: 'o1' }) as unknown as Relation;

let t: TestCrm;
let clock: TestClock;
let alice: string;
beforeEach(async () => {
  clock = new TestClock();
  t = await startTestCrm({ now: clock.now });
  alice = await tokenFor(t.crm, 'alice');
});
afterEach(() => t.dispose());

async function takeLease(holder: string): Promise<number> {
  const read = await api(t.crm, 'GET', LEASE, { token: alice });
  const headers: Record<string, string> = read.status === 404 ? { 'If-None-Match': '*' } : { 'If-Match': read.headers.get('etag')! };
  const res = await api(t.crm, 'PATCH', LEASE, { token: alice, body: { data: { type: 'outlooksynclease', id: MAILBOX, attributes: { holder, deviceLabel: holder, ttl: 60 } } }, headers });
  expect(res.status).toBeLessThan(300);
  return res.json.data.attributes.fencingToken;
}

describe('the emulator refuses writes that do not hold the lease', () => {
  test('no lease, a stale token, or an expired lease: 409; the live token writes and the revision grows', async () => {
    const put = [relation('1', 'o-1')];
    expect((await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ fencingToken: 1, put }) })).status).toBe(409);
    const first = await takeLease('a');
    const ok = await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ fencingToken: first, put }) });
    expect(ok.status).toBe(200);
    expect(ok.json.data.attributes.revision).toBe(1);
    clock.advance(61);
    expect((await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ fencingToken: first, put }) })).status).toBe(409);
    const second = await takeLease('b');
    expect(second).toBe(first + 1);
    const stale = await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ fencingToken: first, put }) });
    expect(stale.status).toBe(409);
    expect(stale.json.errors[0].source.pointer).toBe('/data/attributes/fencingToken');
    expect((await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ fencingToken: second, delete: [{ type: 'contact', crmId: '1' }] }) })).json.data.attributes.revision).toBe(2);
  });

  test('malformed changes are 400 with a pointer; the state is per CRM user', async () => {
    const token = await takeLease('a');
    const noToken = await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ put: [] }) });
    expect(noToken.status).toBe(400);
    expect(noToken.json.errors[0].source.pointer).toBe('/data/attributes/fencingToken');
    const badRelation = await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ fencingToken: token, put: [{ type: 'note', crmId: '1', outlookId: 'x' }] }) });
    expect(badRelation.json.errors[0].source.pointer).toBe('/data/attributes/put/0');
    const badCheckpoint = await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ fencingToken: token, checkpoints: [{ type: 'contact', side: 'crm', checkpoint: 5 }] }) });
    expect(badCheckpoint.json.errors[0].source.pointer).toBe('/data/attributes/checkpoints/0');
    await api(t.crm, 'PATCH', STATE, { token: alice, body: stateBody({ fencingToken: token, put: [relation('1', 'o-1')] }) });
    const bob = await tokenFor(t.crm, 'bob');
    expect((await api(t.crm, 'GET', STATE, { token: bob })).json.data.attributes.relations).toEqual([]);
    expect((await api(t.crm, 'GET', STATE, { token: alice })).json.data.attributes.relations).toHaveLength(1);
  });

  test('a stock Oro has no such resource (404)', async () => {
    const stock = await startTestCrm({ now: clock.now, stockOro: true });
    try {
      expect((await api(stock.crm, 'GET', STATE, { token: await tokenFor(stock.crm, 'alice') })).status).toBe(404);
    } finally {
      await stock.dispose();
    }
  });
});

describe('SharedStateStore over HTTP', () => {
  const httpFor = (token: string) => new CrmHttp({ baseUrl: t.crm.url, tokens: new StaticTokens(token) });

  test('what one holder commits, the next holder pulls into its own empty store; the old holder is then fenced', async () => {
    const http = httpFor(alice);
    const leaseA = new SyncLease({ backend: new CrmLeaseBackend(http, MAILBOX), holderId: 'a', deviceLabel: 'A', monotonic: () => clock.now().getTime() });
    expect(await leaseA.step()).toBe('holder');
    const storeA = new SharedStateStore(await openMemoryStore(IDENTITY), new CrmSharedState(http, MAILBOX), () => leaseA.view()?.fencingToken ?? 0);
    await storeA.commit({ putRelations: [relation('7', 'o-7')], checkpoints: [{ type: 'contact', side: 'crm', checkpoint: 'c-1' }] });

    clock.advance(61);
    const leaseB = new SyncLease({ backend: new CrmLeaseBackend(http, MAILBOX), holderId: 'b', deviceLabel: 'B', monotonic: () => clock.now().getTime() });
    expect(await leaseB.step()).toBe('holder');
    const localB = await openMemoryStore(IDENTITY);
    const storeB = new SharedStateStore(localB, new CrmSharedState(http, MAILBOX), () => leaseB.view()?.fencingToken ?? 0);
    expect(await storeB.pull()).toMatchObject({ pulled: true, relations: 1 });
    expect((await localB.relations('contact')).map((r) => [r.crmId, r.outlookId])).toEqual([['7', 'o-7']]);
    expect(await localB.checkpoint('contact', 'crm')).toBe('c-1');

    // A wakes up after sleeping past its lease: its next commit is refused and changes nothing.
    await expect(storeA.commit({ putRelations: [relation('8', 'o-8')] })).rejects.toBeInstanceOf(SharedStateFencedError);
    expect(await storeB.pull()).toMatchObject({ relations: 1 });
  });

  test('an engine that synced alone seeds the empty shared state with its own, so the next holder needs no full re-match', async () => {
    const http = httpFor(alice);
    const aloneLocal = await openMemoryStore(IDENTITY);
    const many = Array.from({ length: 2500 }, (_, i) => relation(String(i + 1), `o-${i + 1}`));
    await aloneLocal.commit({ putRelations: many, checkpoints: [{ type: 'contact', side: 'outlook', checkpoint: 'delta-1' }] });
    const leaseA = new SyncLease({ backend: new CrmLeaseBackend(http, MAILBOX), holderId: 'a', deviceLabel: 'A', monotonic: () => clock.now().getTime() });
    expect(await leaseA.step()).toBe('holder');
    const storeA = new SharedStateStore(aloneLocal, new CrmSharedState(http, MAILBOX), () => leaseA.view()?.fencingToken ?? 0);
    expect(await storeA.pull()).toMatchObject({ seeded: true, relations: 2500 });
    expect(await aloneLocal.relations('contact')).toHaveLength(2500); // kept, not thrown away

    clock.advance(61);
    const leaseB = new SyncLease({ backend: new CrmLeaseBackend(http, MAILBOX), holderId: 'b', deviceLabel: 'B', monotonic: () => clock.now().getTime() });
    expect(await leaseB.step()).toBe('holder');
    const localB = await openMemoryStore(IDENTITY);
    expect(await new SharedStateStore(localB, new CrmSharedState(http, MAILBOX), () => leaseB.view()?.fencingToken ?? 0).pull()).toMatchObject({ pulled: true, relations: 2500 });
    expect(await localB.checkpoint('contact', 'outlook')).toBe('delta-1');
  });
});
