// Issue 3 audit: fault knobs both emulators share, checked on each (the lost-answer knob, `{}`, seeds,
// bad knob input). The other knobs have their own tests in graph-emulator-faults / crm-entities-legacy.
import { DEFAULT_KNOBS } from '../emulators/common/faults';
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';
import { startGraph, type Harness } from '../emulators/graph/testing';

async function control(base: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${pathname}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('Graph emulator: lostResponseRate', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startGraph();
  });
  afterEach(async () => {
    await h.close();
  });
  const contactsNamed = async (name: string) =>
    (await h.call('GET', `/v1.0/me/contacts?$filter=${encodeURIComponent(`givenName eq '${name}'`)}`)).body.value as unknown[];

  test('a POST whose answer is lost still creates the contact, and the loss is counted', async () => {
    await h.token(); // the token request must not be the one that is lost
    await control(h.emulator.url, '/_control/faults', { lostResponseRate: 1, routeFilter: 'POST /v1.0/me/contacts' });
    await expect(h.call('POST', '/v1.0/me/contacts', { givenName: 'Lost' })).rejects.toThrow();
    await control(h.emulator.url, '/_control/faults', {});
    expect(await contactsNamed('Lost')).toHaveLength(1);
    const stats = (await control(h.emulator.url, '/_control/stats')).body;
    expect(stats.injected.lostResponses).toBe(1);
    expect(stats.byStatus['0']).toBe(1);
  });

  test('dropRate, unlike lostResponseRate, cuts the connection before anything is stored', async () => {
    await h.token();
    await control(h.emulator.url, '/_control/faults', { dropRate: 1, routeFilter: 'POST /v1.0/me/contacts' });
    await expect(h.call('POST', '/v1.0/me/contacts', { givenName: 'Dropped' })).rejects.toThrow();
    await control(h.emulator.url, '/_control/faults', {});
    expect(await contactsNamed('Dropped')).toHaveLength(0);
  });

  test('a lost $batch answer comes after every sub-request ran', async () => {
    await h.token();
    await control(h.emulator.url, '/_control/faults', { lostResponseRate: 1, routeFilter: '$batch' });
    const requests = [1, 2, 3].map((n) => ({ id: String(n), method: 'POST', url: '/me/contacts', headers: { 'Content-Type': 'application/json' }, body: { givenName: 'Batched' } }));
    await expect(h.call('POST', '/v1.0/$batch', { requests })).rejects.toThrow();
    await control(h.emulator.url, '/_control/faults', {});
    expect(await contactsNamed('Batched')).toHaveLength(3);
  });

  test('routes outside the routeFilter keep their answers; {} turns the knob off', async () => {
    await h.token();
    const set = await control(h.emulator.url, '/_control/faults', { lostResponseRate: 1, routeFilter: 'POST /v1.0/me/contacts' });
    expect(set.body.lostResponseRate).toBe(1);
    expect((await h.call('GET', '/v1.0/me/contacts')).status).toBe(200);
    const off = await control(h.emulator.url, '/_control/faults', {});
    expect(off.body.lostResponseRate).toBe(0);
    expect((await h.call('POST', '/v1.0/me/contacts', { givenName: 'Kept' })).status).toBe(201);
  });

  test('a share above 1 is refused with a clear message', async () => {
    const res = await control(h.emulator.url, '/_control/faults', { lostResponseRate: 2 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/lostResponseRate/);
  });
});

describe('CRM emulator: shared knobs', () => {
  let emu: CrmEmulator;
  let t: TestCrm;
  let token: string;
  beforeEach(async () => {
    t = await startTestCrm();
    emu = t.crm;
    token = await tokenFor(emu, 'alice');
  });
  afterEach(async () => {
    await t.dispose();
  });
  const api = async (method: string, pathname: string, body?: unknown) => {
    const res = await fetch(`${emu.url}${pathname}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.api+json', ...(body === undefined ? {} : { 'Content-Type': 'application/vnd.api+json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const countNamed = async (name: string) => {
    const all = (await api('GET', '/api/contacts?page[size]=-1')).body.data as Array<{ attributes: { firstName: string } }>;
    return all.filter((c) => c.attributes.firstName === name).length;
  };

  test('lostResponseRate: a POST whose answer is lost still creates the contact, and the loss is counted', async () => {
    await control(emu.url, '/_control/faults', { lostResponseRate: 1, routeFilter: 'POST /api/contacts' });
    await expect(api('POST', '/api/contacts', { data: { type: 'contacts', attributes: { firstName: 'Lost', emails: [{ email: 'lost@x.test' }] } } })).rejects.toThrow();
    await control(emu.url, '/_control/faults', {});
    expect(await countNamed('Lost')).toBe(1);
    const stats = (await control(emu.url, '/_control/stats')).body;
    expect(stats.injected.lostResponses).toBe(1);
    expect(stats.byStatus['0']).toBe(1);
  });

  test('dropRate cuts the connection before the contact is stored', async () => {
    await control(emu.url, '/_control/faults', { dropRate: 1, routeFilter: 'POST /api/contacts' });
    await expect(api('POST', '/api/contacts', { data: { type: 'contacts', attributes: { firstName: 'Dropped', emails: [{ email: 'd@x.test' }] } } })).rejects.toThrow();
    await control(emu.url, '/_control/faults', {});
    expect(await countNamed('Dropped')).toBe(0);
  });

  test('{} turns every fault off and restores the defaults', async () => {
    await control(emu.url, '/_control/faults', { rate429: 1, rate5xx: 1, dropRate: 1, lostResponseRate: 1, latencyMs: 1 });
    const off = await control(emu.url, '/_control/faults', {});
    expect(off.body).toEqual(DEFAULT_KNOBS);
    expect((await control(emu.url, '/_control/faults')).body).toEqual(DEFAULT_KNOBS);
    expect((await api('GET', '/api/contacts')).status).toBe(200);
  });

  test('the same seed replays the same pattern of injected faults', async () => {
    const pattern = async () => {
      await control(emu.url, '/_control/faults', { rate429: 0.5, retryAfterSeconds: 0, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await api('GET', '/api/tasks')).status);
      return out;
    };
    const first = await pattern();
    expect(first).toContain(429);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });

  test('unknown knobs and out-of-range shares answer 400 and leave the knobs as they were', async () => {
    await control(emu.url, '/_control/faults', { rate5xx: 0.25 });
    const unknown = await control(emu.url, '/_control/faults', { rate418: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/unknown fault knob "rate418"/);
    const share = await control(emu.url, '/_control/faults', { rate429: 1.5 });
    expect(share.status).toBe(400);
    expect((await control(emu.url, '/_control/faults')).body.rate5xx).toBe(0.25);
  });
});
