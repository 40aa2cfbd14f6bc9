// The scheduler with a fake clock, fake timers and a fake engine: no real waiting.
import { ThrottledError } from '../../src/sync/errors';
import { SyncScheduler } from '../../src/sync/scheduler';
import { FakeEngine, FakeNetwork } from './scheduler-fakes';

function setup() {
  let now = 1_000_000;
  const engine = new FakeEngine();
  const network = new FakeNetwork();
  const timers = { every: () => 'timer', cancel: jest.fn() };
  const scheduler = new SyncScheduler({ engine, now: () => now, timers, network, baseBackoffMs: 1000, maxBackoffMs: 8000 });
  return {
    engine,
    network,
    timers,
    scheduler,
    advance: async (ms: number) => {
      now += ms;
      await scheduler.tick();
    },
    now: () => now,
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('SyncScheduler', () => {
  test('runs both sides at start, then each on its own interval computed from the clock', async () => {
    const t = setup();
    t.scheduler.start();
    await flush();
    expect(t.engine.runs).toEqual(['crm', 'outlook']);
    await t.advance(29_000);
    expect(t.engine.runs).toHaveLength(2);
    await t.advance(1_000);
    expect(t.engine.runs.slice(2)).toEqual(['outlook']);
    await t.advance(90_000);
    expect(t.engine.runs.slice(3)).toEqual(['crm', 'outlook']);
    expect(t.engine.nextCheck.crm).toBe(t.now() + 120_000);
    await t.scheduler.stop();
  });

  test('after a long sleep, each side catches up with one cycle, not one per missed interval', async () => {
    const t = setup();
    t.scheduler.start();
    await flush();
    await t.advance(10 * 3600_000);
    expect(t.engine.runs).toEqual(['crm', 'outlook', 'crm', 'outlook']);
    await t.advance(1);
    expect(t.engine.runs).toHaveLength(4);
    await t.scheduler.stop();
  });

  test('backs off exponentially with a cap, and honours Retry-After', async () => {
    const t = setup();
    t.engine.fail.outlook = new Error('boom');
    t.engine.fail.crm = new ThrottledError('slow down', 7000);
    t.scheduler.start();
    await flush();
    expect(t.scheduler.schedule('crm').nextDue).toBe(t.now() + 7000);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const due = t.scheduler.schedule('outlook').nextDue!;
      delays.push(due - t.now());
      await t.advance(due - t.now());
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000]);
    t.engine.fail = {};
    await t.advance(8000);
    expect(t.scheduler.schedule('outlook').failures).toBe(0);
    await t.scheduler.stop();
  });

  test('pauses while offline and runs what fell due once the network returns', async () => {
    const t = setup();
    t.scheduler.start();
    await flush();
    t.network.set(false);
    await t.advance(200_000);
    expect(t.engine.runs).toHaveLength(2);
    t.network.set(true);
    await flush();
    expect(t.engine.runs.slice(2)).toEqual(['crm', 'outlook']);
    await t.scheduler.stop();
  });

  test('saved settings reschedule at once, and a running cycle finishes first', async () => {
    const t = setup();
    let release!: () => void;
    t.scheduler.start();
    await flush();
    t.engine.hold.crm = new Promise((r) => (release = r));
    void t.advance(120_000); // crm starts and hangs; outlook runs
    await flush();
    const running = t.engine.runs.length;
    await t.scheduler.settingsChanged({ ...t.engine.settings, contacts_sync_interval_outlook: 5 });
    expect(t.engine.runs.slice(running)).toEqual(['outlook']); // the CRM cycle still runs: not started twice
    delete t.engine.hold.crm;
    release();
    await flush();
    await t.advance(0);
    expect(t.engine.runs.slice(running)).toEqual(['outlook', 'crm']);
    await t.advance(5_000);
    expect(t.engine.runs.at(-1)).toBe('outlook');
    await t.scheduler.stop();
  });

  test('Sync now runs both sides at once, the CRM first', async () => {
    const t = setup();
    t.scheduler.start();
    await flush();
    await t.advance(1000);
    await t.scheduler.syncNow();
    expect(t.engine.runs).toEqual(['crm', 'outlook', 'crm', 'outlook']);
    await t.scheduler.stop();
  });

  test('stops cleanly when settings enable nothing', async () => {
    const t = setup();
    t.scheduler.start();
    await flush();
    await t.scheduler.settingsChanged({ ...t.engine.settings, contacts_enabled: false, tasks_enabled: false, calendar_events_enabled: false });
    await t.advance(1_000_000);
    expect(t.engine.runs).toHaveLength(2);
    expect(t.engine.nextCheck).toEqual({ crm: null, outlook: null });
    await t.scheduler.stop();
  });

  test('stop() cancels the timer and waits for the cycle in flight', async () => {
    const t = setup();
    let release!: () => void;
    t.engine.hold.crm = new Promise((r) => (release = r));
    t.scheduler.start();
    let stopped = false;
    const stopping = t.scheduler.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(t.timers.cancel).toHaveBeenCalledWith('timer');
    expect(t.engine.stopRequests).toBe(1);
    await t.advance(1_000_000);
    expect(t.engine.runs).toEqual(['crm', 'outlook']);
  });
});
