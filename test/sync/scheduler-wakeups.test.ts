// Scheduler wake-ups: timer ticks do not make work due (the clock does), the network's return ends an error
// backoff (but not a Retry-After wait), and a rescheduled side runs as soon as its running cycle ends.
import { ServiceUnavailableError, ThrottledError } from '../../src/sync/errors';
import { SyncScheduler } from '../../src/sync/scheduler';
import { FakeEngine, FakeNetwork } from './scheduler-fakes';

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function setup() {
  let now = 5_000_000;
  const engine = new FakeEngine();
  const network = new FakeNetwork();
  let fire: () => void = () => undefined;
  const timers = { every: (fn: () => void) => ((fire = fn), 'timer'), cancel: () => undefined };
  const scheduler = new SyncScheduler({ engine, now: () => now, timers, network, baseBackoffMs: 60_000, maxBackoffMs: 3600_000 });
  return { engine, network, scheduler, fire: () => fire(), advance: (ms: number) => (now += ms), now: () => now };
}

describe('SyncScheduler wake-ups', () => {
  test('timer ticks alone make nothing due: a hundred ticks without the clock moving run no cycle', async () => {
    const t = setup();
    t.scheduler.start();
    await flush();
    for (let i = 0; i < 100; i++) t.fire();
    await flush();
    expect(t.engine.runs).toEqual(['crm', 'outlook']);
    t.advance(30_000);
    t.fire();
    await flush();
    expect(t.engine.runs).toEqual(['crm', 'outlook', 'outlook']);
    await t.scheduler.stop();
  });

  test('when the network returns, a side backing off after an error retries at once instead of waiting out the backoff', async () => {
    const t = setup();
    t.engine.fail.outlook = new ServiceUnavailableError('offline');
    t.scheduler.start();
    await flush();
    expect(t.scheduler.schedule('outlook')).toEqual(expect.objectContaining({ failures: 1, nextDue: t.now() + 60_000 }));
    t.network.set(false);
    t.advance(5_000);
    delete t.engine.fail.outlook;
    t.network.set(true);
    await flush();
    expect(t.engine.runs).toEqual(['crm', 'outlook', 'outlook']);
    expect(t.scheduler.schedule('outlook').failures).toBe(0);
    await t.scheduler.stop();
  });

  test('when the network returns, a Retry-After wait the service asked for is still honoured', async () => {
    const t = setup();
    t.engine.fail.crm = new ThrottledError('slow down', 600_000);
    t.scheduler.start();
    await flush();
    t.network.set(false);
    t.advance(5_000);
    t.network.set(true);
    await flush();
    expect(t.engine.runs).toEqual(['crm', 'outlook']);
    expect(t.scheduler.schedule('crm').nextDue).toBe(t.now() - 5_000 + 600_000);
    await t.scheduler.stop();
  });

  test('Sync now pressed during a cycle: the cycle finishes first, then the next one starts without waiting for a timer tick', async () => {
    const t = setup();
    let release!: () => void;
    t.engine.hold.crm = new Promise((r) => (release = r));
    t.scheduler.start();
    await flush();
    expect(t.engine.runs).toEqual(['crm', 'outlook']);
    await t.scheduler.syncNow();
    expect(t.engine.runs).toEqual(['crm', 'outlook', 'outlook']); // the CRM cycle still runs: not started twice
    delete t.engine.hold.crm;
    release();
    await flush();
    expect(t.engine.runs).toEqual(['crm', 'outlook', 'outlook', 'crm']);
    await t.scheduler.stop();
  });
});
