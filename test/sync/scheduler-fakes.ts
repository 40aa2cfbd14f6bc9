// Stand-ins for the scheduler's collaborators: an engine that records which cycles ran, and a network
// status the test switches on and off. No real waiting: the tests drive the clock and the timers.
import { DEFAULT_SETTINGS, type OutlookSettings } from '../../src/settings/options';
import type { SideName } from '../../src/sync/records';
import type { NetworkStatus, SchedulableEngine } from '../../src/sync/scheduler';

/** Records each cycle it runs; a test makes a side's cycle fail (`fail`) or wait on a promise (`hold`). */
export class FakeEngine implements SchedulableEngine {
  settings: OutlookSettings = { ...DEFAULT_SETTINGS, contacts_sync_interval_orocrm: 120, contacts_sync_interval_outlook: 30 };
  runs: SideName[] = [];
  fail: Partial<Record<SideName, unknown>> = {};
  hold: Partial<Record<SideName, Promise<void>>> = {};
  nextCheck: Record<SideName, number | null> = { crm: null, outlook: null };
  stopRequests = 0;
  async runCrmCycle() {
    return this.run('crm');
  }
  async runOutlookCycle() {
    return this.run('outlook');
  }
  private async run(side: SideName) {
    this.runs.push(side);
    if (this.hold[side]) await this.hold[side];
    const f = this.fail[side];
    if (f) throw f;
  }
  getSettings() {
    return this.settings;
  }
  setSettings(s: OutlookSettings) {
    this.settings = s;
  }
  setNextCheck(side: SideName, at: number | null) {
    this.nextCheck[side] = at;
  }
  async requestStop() {
    this.stopRequests++;
  }
  resume() {}
}

export class FakeNetwork implements NetworkStatus {
  online = true;
  private listeners: Array<(o: boolean) => void> = [];
  isOnline() {
    return this.online;
  }
  subscribe(l: (o: boolean) => void) {
    this.listeners.push(l);
    return () => (this.listeners = this.listeners.filter((x) => x !== l));
  }
  set(online: boolean) {
    this.online = online;
    for (const l of this.listeners) l(online);
  }
}
