// The queue: BullMQ on Redis. One job scheduler (a repeatable job) per mailbox and side on that
// mailbox's own intervals (the user's resolved MS Outlook Settings, re-read by every CRM job), and one
// per mailbox that renews the server's CRM lease between syncs, so a pane sees the server as the
// mailbox's holder and follows it instead of taking over between two jobs.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { OutlookSettings } from '../settings/options';
import { DEFAULT_SETTINGS } from '../settings/options';
import type { ServerConfig, ServerUser } from './config';
import type { JobKind } from './mailbox-sync';

export const QUEUE_NAME = 'orocrm-sync';

export interface SyncJobData {
  mailbox: string;
  kind: JobKind;
}

export function schedulerId(mailbox: string, kind: JobKind): string {
  return `${mailbox}|${kind}`;
}

export function openQueue(connection: ConnectionOptions, prefix: string): Queue<SyncJobData> {
  return new Queue<SyncJobData>(QUEUE_NAME, { connection, prefix });
}

/** Milliseconds between checks of each kind for these settings (the lease: a third of its period). */
export function intervalsOf(settings: Pick<OutlookSettings, 'contacts_sync_interval_orocrm' | 'contacts_sync_interval_outlook'>, config: ServerConfig): Record<JobKind, number> {
  return {
    crm: settings.contacts_sync_interval_orocrm * 1000,
    outlook: settings.contacts_sync_interval_outlook * 1000,
    lease: Math.floor((config.timing.leaseSeconds * 1000) / 3),
  };
}

function jobOptions(config: ServerConfig) {
  return {
    attempts: config.timing.attempts,
    backoff: { type: 'exponential' as const, delay: Math.round(config.timing.retryDelaySeconds * 1000) },
    removeOnComplete: { count: 200 },
    removeOnFail: { count: 500 },
  };
}

/** Creates or updates one kind's scheduler; BullMQ's upsert keeps one per id, so this is idempotent. */
export async function schedule(queue: Queue<SyncJobData>, config: ServerConfig, mailbox: string, kind: JobKind, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(schedulerId(mailbox, kind), { every: everyMs }, { name: kind, data: { mailbox, kind }, opts: jobOptions(config) });
}

/**
 * Every configured mailbox gets its three schedulers (new ones on Oro's default intervals until their
 * first CRM job reads the user's own); mailboxes no longer configured lose theirs.
 */
export async function scheduleAll(queue: Queue<SyncJobData>, config: ServerConfig): Promise<void> {
  const existing = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
  const wanted = new Set<string>();
  for (const user of config.users) {
    const defaults = intervalsOf(DEFAULT_SETTINGS, config);
    for (const kind of ['crm', 'outlook', 'lease'] as const) {
      const id = schedulerId(user.mailbox, kind);
      wanted.add(id);
      const every = kind === 'lease' ? defaults.lease : Number(existing.get(id)?.every ?? defaults[kind]);
      await schedule(queue, config, user.mailbox, kind, every);
    }
  }
  for (const id of existing.keys()) if (!wanted.has(id)) await queue.removeJobScheduler(id);
}

/** The next run of each scheduler, for the status page. */
export async function nextRuns(queue: Queue<SyncJobData>): Promise<Map<string, { next: number | null; every: number | null }>> {
  const out = new Map<string, { next: number | null; every: number | null }>();
  for (const s of await queue.getJobSchedulers(0, -1)) out.set(s.key, { next: s.next ?? null, every: s.every ? Number(s.every) : null });
  return out;
}

export function userOf(config: ServerConfig, mailbox: string): ServerUser | undefined {
  return config.users.find((u) => u.mailbox === mailbox);
}
