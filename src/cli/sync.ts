// The headless runner: the same SyncEngine as the pane, in Node, with SQLite state.
//   npm run sync -- --crm <url> --graph <url> --user <name> --password <pw> --state <file> [--once]
// Exit codes: 0 done (or stopped cleanly), 1 sign-in or sync failure, 2 bad arguments.
import { SyncEngine, type CycleSummary } from '../sync/engine';
import { realTimers, SyncScheduler, type SchedulableEngine } from '../sync/scheduler';
import { plainError } from '../sync/status';
import { LeasedSync } from '../sync/lease-host';
import type { LeaseView } from '../sync/lease';
import type { OutlookSettings } from '../settings/options';
import type { SideName } from '../sync/records';
import { parseArgs, UsageError, USAGE, type RunnerArgs } from './args';
import { connect, type Connection } from './connect';
import { attentionLines, cycleLine } from './report';

export interface Output {
  line(text: string): void;
  error(text: string): void;
}

const consoleOutput: Output = { line: (t) => console.log(t), error: (t) => console.error(t) };

/** Resolves when `stop` is called (SIGINT/SIGTERM in main). */
export interface StopSignal {
  onStop(listener: () => void): void;
}

export async function run(args: RunnerArgs, out: Output, stop: StopSignal): Promise<number> {
  let conn: Connection;
  try {
    conn = await connect(args, { prompt: (p) => out.line(p.message) });
  } catch (error) {
    out.error(`error: ${oneLine(error)}`);
    return 1;
  }
  const engine = new SyncEngine({ crm: conn.crm, outlook: conn.outlook, store: conn.store, settings: conn.settings, fence: () => conn.lease.assertHeld() });
  out.line(`Syncing ${args.user} at ${args.crmUrl} with mailbox ${conn.mailbox} (state: ${args.stateFile})`);
  out.line(settingsLine(conn.settings));
  const storedIn = conn.settingsStoredIn();
  if (storedIn.kind === 'local') {
    out.line(`This OroCRM has no MS Outlook Settings (no outlooksettings extension): Oro's defaults apply, with your own values from ${storedIn.where} (stored there, not in OroCRM).`);
  }
  try {
    if (conn.lease.reach === 'local') out.line('This CRM has no sync lease (outlooksynclease): other engines on this mailbox are not seen; see the README.');
    return args.once ? await runOnce(engine, conn, out, stop) : await runLoop(engine, conn, args, out, stop);
  } finally {
    if (conn.lease.role() === 'holder') await conn.handOver().catch(() => undefined);
    await conn.lease.release().catch(() => undefined);
    await conn.store.close();
  }
}

async function runOnce(engine: SyncEngine, conn: Connection, out: Output, stop: StopSignal): Promise<number> {
  stop.onStop(() => void engine.requestStop());
  if ((await conn.lease.step()) !== 'holder') {
    // Another engine writes for this mailbox: a second writer is what the lease exists to prevent.
    out.line(followingLine(conn.lease.view()));
    return 0;
  }
  await conn.takeOver();
  // A long first sync outlives one lease period: keep renewing while the cycles run.
  const renew = setInterval(() => void conn.lease.step().catch(() => undefined), conn.lease.renewEveryMs);
  try {
    return await runOnceHolding(engine, out);
  } finally {
    clearInterval(renew);
  }
}

async function runOnceHolding(engine: SyncEngine, out: Output): Promise<number> {
  let attention: string[] = [];
  for (const side of ['crm', 'outlook'] as const) {
    try {
      const summary = await (side === 'crm' ? engine.runCrmCycle() : engine.runOutlookCycle());
      out.line(cycleLine(summary));
      attention = attentionLines(engine.getStatus());
      if (summary.stopped) {
        out.line('Stopped.');
        return 0;
      }
    } catch (error) {
      out.error(`error: ${sideError(error, side)}`);
      return 1;
    }
  }
  for (const l of attention) out.line(l);
  return 0;
}

async function runLoop(engine: SyncEngine, conn: Connection, args: RunnerArgs, out: Output, stop: StopSignal): Promise<number> {
  let lastAttention = '';
  let lastSettings = JSON.stringify(engine.getSettings());
  /** Saved settings take effect: read before each CRM cycle (and on a timer while nothing runs). */
  const refreshSettings = async (): Promise<boolean> => {
    let next: OutlookSettings;
    try {
      next = await conn.loadSettings();
    } catch (error) {
      out.error(`warning: could not re-read settings, keeping the current ones: ${oneLine(error)}`);
      return false;
    }
    const text = JSON.stringify(next);
    if (text === lastSettings) return false;
    lastSettings = text;
    engine.setSettings(next);
    out.line(`Settings changed. ${settingsLine(next)}`);
    return true;
  };
  const report = (summary: CycleSummary) => {
    out.line(cycleLine(summary));
    const attention = attentionLines(engine.getStatus()).join('\n');
    if (attention && attention !== lastAttention) out.line(attention);
    lastAttention = attention;
    return summary;
  };
  // The scheduler starts the CRM cycle first when both are due; the Outlook cycle waits for the CRM
  // cycle's settings read so that the CRM pass still runs first, as Oro's does (sync-design.md).
  let refreshing: Promise<unknown> = Promise.resolve();
  const schedulable: SchedulableEngine = {
    runCrmCycle: async () => {
      refreshing = refreshSettings();
      await refreshing;
      return report(await engine.runCrmCycle());
    },
    runOutlookCycle: async () => {
      await refreshing;
      return report(await engine.runOutlookCycle());
    },
    getSettings: () => engine.getSettings(),
    setSettings: (s) => engine.setSettings(s),
    setNextCheck: (side, at) => engine.setNextCheck(side, at),
    requestStop: () => engine.requestStop(),
    resume: () => engine.resume(),
  };
  const scheduler = new SyncScheduler({ engine: schedulable, onError: (side, error) => out.error(`error: ${sideError(error, side)}`) });
  // While nothing is enabled no CRM cycle runs, so the settings are polled on their own.
  const poll = setInterval(() => {
    void refreshSettings().then(async (changed) => {
      if (changed) await scheduler.settingsChanged(engine.getSettings());
    });
  }, args.settingsPollSeconds * 1000);
  const stopped = new Promise<void>((resolve) => stop.onStop(resolve));
  let lastRole = '';
  const host = new LeasedSync({
    lease: conn.lease,
    timers: realTimers, // keeps the process alive while it only follows
    onAcquired: () => conn.takeOver(),
    beforeRelease: () => conn.handOver(),
    loop: { start: () => scheduler.start(), stop: () => scheduler.stop(), syncNow: () => scheduler.syncNow() },
    snapshot: async () => ({ status: engine.getStatus(), conflicts: await conn.store.conflicts() }),
    onChange: (state) => {
      const line = state.role === 'holder' ? `Holding the sync lease of ${conn.mailbox}: this runner syncs.` : state.role === 'follower' ? followingLine(conn.lease.view()) : '';
      if (line && line !== lastRole) out.line(line);
      lastRole = line;
    },
  });
  await host.start();
  await stopped;
  clearInterval(poll);
  out.line('Stopping after the current write…');
  await host.stop();
  out.line('Stopped.');
  return 0;
}

function followingLine(view: LeaseView | null): string {
  if (!view) return 'Following: another engine syncs this mailbox.';
  const since = new Date(view.acquiredAt).toISOString().slice(11, 16);
  return `Following: ${view.deviceLabel} syncs this mailbox (since ${since} UTC); this runner takes over if it stops.`;
}

function settingsLine(s: OutlookSettings): string {
  const types = [s.contacts_enabled && 'contacts', s.tasks_enabled && 'tasks', s.calendar_events_enabled && 'events'].filter(Boolean).join(', ') || 'nothing';
  return `Settings: ${types}; ${s.contacts_sync_direction}, ${s.contacts_conflict_resolution}; every ${s.contacts_sync_interval_orocrm} s (OroCRM) / ${s.contacts_sync_interval_outlook} s (Outlook)`;
}

/** The plain words the pane would show, with the technical detail when it adds something. */
function sideError(error: unknown, side: SideName): string {
  const plain = plainError(error, side).replace(/\s*Sync will try again by itself\.$/, '');
  const detail = oneLine(error);
  return plain.includes(detail) ? plain : `${plain} (${detail})`;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/** Process wiring: arguments, signals, exit code. */
async function main(): Promise<void> {
  let args: RunnerArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(`error: ${error.message}\n`);
    console.error(USAGE);
    process.exitCode = error.message ? 2 : 0;
    return;
  }
  const listeners: Array<() => void> = [];
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals > 1) {
      console.error(`${name} again: exiting now.`);
      process.exit(130);
    }
    for (const l of listeners) l();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const code = await run(args, consoleOutput, { onStop: (l) => listeners.push(l) });
  // Idle keep-alive sockets would hold the process open; leave once the output is flushed.
  process.stdout.write('', () => process.exit(code));
}

if (require.main === module) void main();
