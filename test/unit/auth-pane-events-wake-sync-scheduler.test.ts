// The pane's wake-ups reach the real scheduler (browserWakeSource → schedulerNetwork → SyncScheduler, as
// outlookSyncRuntimeFactory wires them): hosts throttle a hidden pane's timers, so whatever fell due runs
// when the pane becomes visible again; offline pauses it, online resumes it. The timer never fires here.
import { EventEmitter } from 'node:events';
import { browserWakeSource, schedulerNetwork } from '../../src/taskpane/host-events';
import { SyncScheduler, type Timers } from '../../src/sync/scheduler';
import { FakeEngine } from '../sync/scheduler-fakes';

const throttled: Timers = { every: () => 'never-fires', cancel: () => undefined };
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

function pane() {
  const win = Object.assign(new EventEmitter(), { navigator: { onLine: true } });
  const doc = Object.assign(new EventEmitter(), { visibilityState: 'visible' });
  const target = (e: EventEmitter) => ({ addEventListener: (t: string, l: () => void) => e.on(t, l), removeEventListener: (t: string, l: () => void) => e.off(t, l) });
  const wake = browserWakeSource({
    window: { ...target(win), navigator: win.navigator },
    document: {
      ...target(doc),
      get visibilityState() {
        return doc.visibilityState;
      },
    },
  });
  return {
    wake,
    show(visible: boolean) {
      doc.visibilityState = visible ? 'visible' : 'hidden';
      doc.emit('visibilitychange');
    },
    network(online: boolean) {
      win.navigator.onLine = online;
      win.emit(online ? 'online' : 'offline');
    },
    listeners: () => win.listenerCount('online') + win.listenerCount('offline') + doc.listenerCount('visibilitychange'),
  };
}

test('a throttled pane runs what fell due when it becomes visible; offline pauses, online resumes', async () => {
  let now = 1_000_000;
  const engine = new FakeEngine(); // Outlook every 30 s, CRM every 120 s
  const host = pane();
  const scheduler = new SyncScheduler({ engine, now: () => now, timers: throttled, network: schedulerNetwork(host.wake) });
  scheduler.start();
  await settle();
  expect(engine.runs).toEqual(['crm', 'outlook']);

  // Hidden: the timer is throttled away; the Outlook side falls due and nothing runs.
  host.show(false);
  now += 31_000;
  await settle();
  expect(engine.runs).toEqual(['crm', 'outlook']);

  // Visible again: the due side runs at once, the CRM (not due yet) does not.
  host.show(true);
  await settle();
  expect(engine.runs).toEqual(['crm', 'outlook', 'outlook']);

  // Offline: becoming visible with both sides due runs nothing.
  host.network(false);
  now += 121_000;
  host.show(false);
  host.show(true);
  await settle();
  expect(engine.runs).toHaveLength(3);

  // Back online: both run, CRM first.
  host.network(true);
  await settle();
  expect(engine.runs.slice(3)).toEqual(['crm', 'outlook']);

  // Stopping the scheduler lets go of the pane's events.
  await scheduler.stop();
  expect(host.listeners()).toBe(0);
  host.show(false);
  host.show(true);
  await settle();
  expect(engine.runs).toHaveLength(5);
});
