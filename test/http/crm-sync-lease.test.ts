// The outlooksynclease extension on the CRM emulator, and the client's lease over it, over real HTTP.
import { CrmHttp } from '../../src/crm/http';
import { CrmLeaseBackend, detectLeaseSupport } from '../../src/crm/lease-client';
import { StaticTokens } from '../../src/crm/tokens';
import { SyncLease } from '../../src/sync/lease';
import { api, startTestCrm, TestClock, tokenFor, type TestCrm } from '../emulators/crm/testing';

const PATH = '/api/outlooksynclease/alice%40example.com';
const body = (attributes: Record<string, unknown>, id = 'alice@example.com') => ({ data: { type: 'outlooksynclease', id, attributes } });
const take = (holder: string, ttl = 60, deviceLabel = `${holder}'s laptop`) => body({ holder, deviceLabel, ttl });

let t: TestCrm;
let clock: TestClock;
let alice: string;
beforeEach(async () => {
  clock = new TestClock();
  t = await startTestCrm({ now: clock.now });
  alice = await tokenFor(t.crm, 'alice');
});
afterEach(() => t.dispose());

describe('the emulator refuses what a lease must refuse', () => {
  test('a first lease needs If-None-Match: *, a second one then gets 412', async () => {
    expect((await api(t.crm, 'PATCH', PATH, { token: alice, body: take('a') })).status).toBe(428);
    const first = await api(t.crm, 'PATCH', PATH, { token: alice, body: take('a'), headers: { 'If-None-Match': '*' } });
    expect(first.status).toBe(201);
    expect(first.json.data.attributes).toMatchObject({ holder: 'a', fencingToken: 1, active: true, expiresIn: 60 });
    const second = await api(t.crm, 'PATCH', PATH, { token: alice, body: take('b'), headers: { 'If-None-Match': '*' } });
    expect(second.status).toBe(412);
  });

  test('a live lease cannot be taken by another holder (409); a stale ETag is 412; after expiry the new holder gets a higher token', async () => {
    const first = await api(t.crm, 'PATCH', PATH, { token: alice, body: take('a'), headers: { 'If-None-Match': '*' } });
    const etag = first.headers.get('etag')!;
    expect((await api(t.crm, 'PATCH', PATH, { token: alice, body: take('b'), headers: { 'If-Match': etag } })).status).toBe(409);
    const renewed = await api(t.crm, 'PATCH', PATH, { token: alice, body: take('a'), headers: { 'If-Match': etag } });
    expect(renewed.status).toBe(200);
    expect(renewed.json.data.attributes.fencingToken).toBe(1);
    expect((await api(t.crm, 'PATCH', PATH, { token: alice, body: take('a'), headers: { 'If-Match': etag } })).status).toBe(412);
    clock.advance(61);
    const read = await api(t.crm, 'GET', PATH, { token: alice });
    expect(read.json.data.attributes).toMatchObject({ active: false, expiresIn: 0, holder: 'a' });
    const taken = await api(t.crm, 'PATCH', PATH, { token: alice, body: take('b'), headers: { 'If-Match': read.headers.get('etag')! } });
    expect(taken.status).toBe(200);
    expect(taken.json.data.attributes).toMatchObject({ holder: 'b', fencingToken: 2, active: true });
  });

  test('leases are per CRM user: bob cannot see or take alice’s', async () => {
    await api(t.crm, 'PATCH', PATH, { token: alice, body: take('a'), headers: { 'If-None-Match': '*' } });
    const bob = await tokenFor(t.crm, 'bob');
    expect((await api(t.crm, 'GET', PATH, { token: bob })).status).toBe(404);
  });

  test('bad attributes are 400 with a pointer; a wrong id is 409; no token is 401', async () => {
    const h = { 'If-None-Match': '*' };
    const ttl = await api(t.crm, 'PATCH', PATH, { token: alice, body: body({ holder: 'a', deviceLabel: 'x', ttl: 100000 }), headers: h });
    expect(ttl.status).toBe(400);
    expect(ttl.json.errors[0].source.pointer).toBe('/data/attributes/ttl');
    const blank = await api(t.crm, 'PATCH', PATH, { token: alice, body: body({ holder: '', deviceLabel: 'x', ttl: 60 }), headers: h });
    expect(blank.json.errors[0].source.pointer).toBe('/data/attributes/holder');
    const extra = await api(t.crm, 'PATCH', PATH, { token: alice, body: body({ holder: 'a', deviceLabel: 'x', ttl: 60, fencingToken: 9 }), headers: h });
    expect(extra.status).toBe(400);
    expect((await api(t.crm, 'PATCH', PATH, { token: alice, body: body({ holder: 'a', deviceLabel: 'x', ttl: 60 }, 'bob@example.com'), headers: h })).status).toBe(409);
    expect((await api(t.crm, 'GET', PATH, {})).status).toBe(401);
  });

  test('a follower’s sync request needs no precondition and leaves the lease version alone', async () => {
    const first = await api(t.crm, 'PATCH', PATH, { token: alice, body: take('a'), headers: { 'If-None-Match': '*' } });
    clock.advance(5);
    const asked = await api(t.crm, 'PATCH', PATH, { token: alice, body: body({ syncRequested: true }) });
    expect(asked.status).toBe(200);
    expect(asked.json.data.attributes.syncRequestedAt).toBe(clock.now().toISOString());
    expect(asked.headers.get('etag')).toBe(first.headers.get('etag'));
  });

  test('a stock Oro has no lease route', async () => {
    const stock = await startTestCrm({ stockOro: true });
    try {
      const token = await tokenFor(stock.crm, 'alice');
      expect((await api(stock.crm, 'GET', PATH, { token })).status).toBe(404);
      const http = new CrmHttp({ baseUrl: stock.crm.url, tokens: new StaticTokens(token) });
      expect(await detectLeaseSupport(http, 'alice@example.com')).toBe(false);
    } finally {
      await stock.dispose();
    }
  });
});

describe('SyncLease over CrmLeaseBackend', () => {
  function engine(id: string, monotonic: () => number) {
    const http = new CrmHttp({ baseUrl: t.crm.url, tokens: new StaticTokens(alice) });
    return new SyncLease({ backend: new CrmLeaseBackend(http, 'Alice@Example.com'), holderId: id, deviceLabel: `${id} device`, ttlMs: 30_000, monotonic });
  }

  test('one holder at a time; the other follows and takes over after expiry, with a higher token; skewed local clocks change nothing', async () => {
    let local = 0;
    // b's monotonic clock is two minutes ahead of a's: only durations count.
    const a = engine('a', () => local);
    const b = engine('b', () => local + 120_000);
    const http = new CrmHttp({ baseUrl: t.crm.url, tokens: new StaticTokens(alice) });
    expect(await detectLeaseSupport(http, 'alice@example.com')).toBe(true);
    expect(await a.step({ note: 'hello' })).toBe('holder');
    expect(await b.step()).toBe('follower');
    expect(b.view()).toMatchObject({ holder: 'a', deviceLabel: 'a device', status: { note: 'hello' } });
    expect(() => a.assertHeld()).not.toThrow();
    // a dies; 31 s pass on every clock.
    clock.advance(31);
    local += 31_000;
    expect(() => a.assertHeld()).toThrow('stops writing');
    expect(await b.step()).toBe('holder');
    expect(b.view()!.fencingToken).toBe(2);
    // a comes back: it follows.
    expect(await a.step()).toBe('follower');
  });

  test('the holder stops writing a safety margin before the service’s expiry, by its own clock', async () => {
    let local = 0;
    const a = engine('a', () => local);
    await a.step();
    local += 30_000 - a.safetyMarginMs - 1;
    expect(a.role()).toBe('holder');
    local += 2;
    expect(a.role()).toBe('follower');
  });

  test('release lets the follower take over at once', async () => {
    const a = engine('a', () => 0);
    const b = engine('b', () => 0);
    await a.step();
    await a.release();
    expect(await b.step()).toBe('holder');
  });
});
