// LeasedSync: one holder runs its loop; followers see its published status, ask it to sync, and take
// over within one lease period when it dies, or at once when it releases.
import { LeasedSync, type HostedLoop, type LeasedState } from '../../src/sync/lease-host';
import { LocalLeaseBackend, SyncLease } from '../../src/sync/lease';
import type { Timers } from '../../src/sync/scheduler';
import { initialStatus } from '../../src/sync/status';
import { SERVER_DEVICE_LABEL, SERVER_HOLDER_ID } from '../../src/sync/server-holder';

class FakeLoop implements HostedLoop {
  running = false;
  syncs = 0;
  start() {
    this.running = true;
  }
  async stop() {
    this.running = false;
  }
  async syncNow() {
    this.syncs++;
  }
}

const noTimers: Timers = { every: () => 1, cancel: () => undefined };

function setup(count: number, opts: { skewMs?: (i: number) => number; beforeRelease?: (i: number, heldThen: boolean) => Promise<void> } = {}) {
  let t = 0;
  const server = new LocalLeaseBackend(() => t);
  const engines = Array.from({ length: count }, (_, i) => {
    const loop = new FakeLoop();
    const states: LeasedState[] = [];
    const status = initialStatus();
    status.types.contact.crm.lastCheck = new Date(Date.parse('2026-12-06T10:00:00Z') + (opts.skewMs?.(i) ?? 0)).toISOString();
    const lease = new SyncLease({ backend: server, holderId: `e${i}`, deviceLabel: `device ${i}`, ttlMs: 60_000, monotonic: () => t + (opts.skewMs?.(i) ?? 0) });
    const host = new LeasedSync({
      lease,
      loop,
      timers: noTimers,
      now: () => Date.parse('2026-12-06T10:00:20Z') + (opts.skewMs?.(i) ?? 0),
      snapshot: async () => ({ status, conflicts: [] }),
      onChange: (s) => states.push(s),
      beforeRelease: opts.beforeRelease ? () => opts.beforeRelease!(i, lease.role() === 'holder') : undefined,
    });
    return { host, loop, lease, states };
  });
  return { engines, advance: (ms: number) => (t += ms) };
}

test('exactly one of three engines runs its loop; the others follow with the holder’s device and last check', async () => {
  const { engines } = setup(3, { skewMs: (i) => (i - 1) * 120_000 });
  for (const e of engines) await e.host.start();
  expect(engines.map((e) => e.loop.running)).toEqual([true, false, false]);
  const view = engines[2].host.current();
  expect(view).toMatchObject({ role: 'follower', follower: { deviceLabel: 'device 0', stale: false, lastCheckAgoSeconds: 20 } });
  // The holder's clock runs 4 min behind engine 2's: its last check (09:58:00 on its clock) is shown on engine 2's.
  expect(view.role === 'follower' && view.follower!.shared!.status.types.contact.crm.lastCheck).toBe('2026-12-06T10:02:00.000Z');
});

test('a dead holder is replaced within one lease period; the replacement gets a higher fencing token', async () => {
  const { engines, advance } = setup(2);
  await engines[0].host.start();
  await engines[1].host.start();
  const token = engines[0].lease.view()!.fencingToken;
  // engine 0 dies: no more steps. Engine 1 looks every 10 s.
  let waited = 0;
  while (!engines[1].loop.running && waited <= 60_000) {
    advance(10_000);
    waited += 10_000;
    await engines[1].host.step();
  }
  expect(engines[1].loop.running).toBe(true);
  expect(waited).toBeLessThanOrEqual(60_000);
  expect(engines[1].lease.view()!.fencingToken).toBe(token + 1);
  // The dead one's fence is closed by its own clock.
  expect(() => engines[0].lease.assertHeld()).toThrow();
});

test('a clean stop hands over at the next look', async () => {
  const { engines } = setup(2);
  await engines[0].host.start();
  await engines[1].host.start();
  await engines[0].host.stop();
  expect(engines[0].loop.running).toBe(false);
  await engines[1].host.step();
  expect(engines[1].loop.running).toBe(true);
});

test('Sync now on a follower asks the holder, which syncs at its next renewal', async () => {
  const { engines, advance } = setup(2);
  await engines[0].host.start();
  await engines[1].host.start();
  await engines[1].host.syncNow();
  expect(engines[0].loop.syncs).toBe(0);
  advance(20_000);
  await engines[0].host.step();
  expect(engines[0].loop.syncs).toBe(1);
  advance(20_000);
  await engines[0].host.step();
  expect(engines[0].loop.syncs).toBe(1);
});

test('Sync now on a follower of a stale holder takes over at once', async () => {
  const { engines, advance } = setup(2);
  await engines[0].host.start();
  await engines[1].host.start();
  advance(61_000);
  await engines[1].host.syncNow();
  expect(engines[1].loop.running).toBe(true);
  expect(engines[1].loop.syncs).toBe(1);
  // The old holder comes back and clicks Sync now: it follows and asks the new holder.
  await engines[0].host.syncNow();
  expect(engines[0].loop.running).toBe(false);
  advance(20_000);
  await engines[1].host.step();
  expect(engines[1].loop.syncs).toBe(2);
});

test('a holder that cannot renew stops its loop when its lease runs out', async () => {
  const { engines, advance } = setup(1);
  const e = engines[0];
  await e.host.start();
  const failing = e.lease as unknown as { backend: { read: () => Promise<never> } };
  failing.backend.read = () => Promise.reject(new Error('offline'));
  advance(30_000);
  await e.host.step();
  expect(e.loop.running).toBe(true);
  advance(25_000);
  await e.host.step();
  expect(e.loop.running).toBe(false);
});

test('a holder that stops makes its last writes (beforeRelease) while it still holds the lease; a follower that stops makes none', async () => {
  const calls: Array<[number, boolean]> = [];
  const { engines } = setup(2, { beforeRelease: async (i, heldThen) => void calls.push([i, heldThen]) });
  await engines[0].host.start();
  await engines[1].host.start();
  await engines[1].host.stop();
  expect(calls).toEqual([]);
  await engines[0].host.stop();
  expect(calls).toEqual([[0, true]]);
  expect(engines[0].lease.role()).not.toBe('holder');
});

test('a follower knows the sync server by its holder id, not by a label any engine could send', async () => {
  let t = 0;
  const follow = async (holderId: string) => {
    const backend = new LocalLeaseBackend(() => t);
    const holder = new SyncLease({ backend, holderId, deviceLabel: SERVER_DEVICE_LABEL, ttlMs: 60_000, monotonic: () => t });
    await holder.step();
    const pane = new LeasedSync({ lease: new SyncLease({ backend, holderId: 'pane', deviceLabel: 'Outlook on the web', ttlMs: 60_000, monotonic: () => t }), loop: new FakeLoop(), timers: noTimers, snapshot: async () => ({ status: initialStatus(), conflicts: [] }) });
    await pane.start();
    const state = pane.current();
    return state.role === 'follower' ? state.follower?.byServer : undefined;
  };
  expect(await follow(SERVER_HOLDER_ID)).toBe(true);
  expect(await follow('some-pane-tab')).toBe(false);
});
