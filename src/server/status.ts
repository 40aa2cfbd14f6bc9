// What the status page shows, kept in Redis so every worker writes it and the page reads it in one
// place: per mailbox the last check of each side, what was written, the linked counts, the last error
// and the backoff of a failing ("poison") mailbox; plus the queue's health from BullMQ.
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { CycleSummary } from '../sync/engine';
import { ENTITY_TYPES, type EntityType, type SideName } from '../sync/records';
import type { SyncStatus } from '../sync/status';
import type { ServerConfig } from './config';
import { nextRuns, schedulerId, type SyncJobData } from './jobs';

type Written = Record<SideName, { created: number; updated: number; deleted: number }>;

export interface MailboxStatus {
  mailbox: string;
  crmUser: string;
  /** ok: syncing; following: a pane or runner holds it; failing: backing off after errors. */
  state: 'waiting' | 'ok' | 'following' | 'failing';
  lastCheck: Record<SideName, string | null>;
  /** Checks (sync cycles) of each side since the server started syncing this mailbox. */
  checks: Record<SideName, number>;
  /** Written by the server on each service since it started syncing this mailbox. */
  totals: Written;
  lastWritten: Written | null;
  conflicts: number;
  linked: Partial<Record<EntityType, number>>;
  following: string | null;
  lastError: { message: string; side: SideName | null; at: string } | null;
  /** Failed jobs in a row; the mailbox waits until backoffUntil before its next check. */
  failures: number;
  backoffUntil: string | null;
  worker: string | null;
}

const zero = (): Written => ({ crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } });

export function emptyStatus(mailbox: string, crmUser: string): MailboxStatus {
  return { mailbox, crmUser, state: 'waiting', lastCheck: { crm: null, outlook: null }, checks: { crm: 0, outlook: 0 }, totals: zero(), lastWritten: null, conflicts: 0, linked: {}, following: null, lastError: null, failures: 0, backoffUntil: null, worker: null };
}

export class StatusStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:mailbox-status`;
  }

  async get(mailbox: string, crmUser: string): Promise<MailboxStatus> {
    const raw = await this.redis.hget(this.key, mailbox);
    return raw ? { ...emptyStatus(mailbox, crmUser), ...(JSON.parse(raw) as MailboxStatus) } : emptyStatus(mailbox, crmUser);
  }

  async all(): Promise<Map<string, MailboxStatus>> {
    const raw = await this.redis.hgetall(this.key);
    return new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as MailboxStatus]));
  }

  /** Read-modify-write of one mailbox; jobs of one mailbox never run at once (the worker lease), so no race. */
  async update(mailbox: string, crmUser: string, change: (s: MailboxStatus) => void): Promise<MailboxStatus> {
    const s = await this.get(mailbox, crmUser);
    change(s);
    await this.redis.hset(this.key, mailbox, JSON.stringify(s));
    return s;
  }
}

export function recordSynced(s: MailboxStatus, summaries: CycleSummary[], status: SyncStatus, worker: string, at: Date): void {
  s.state = 'ok';
  s.following = null;
  s.failures = 0;
  s.backoffUntil = null;
  s.lastError = null;
  s.worker = worker;
  const last = zero();
  for (const summary of summaries) {
    s.lastCheck[summary.side] = at.toISOString();
    s.checks[summary.side] += 1;
    for (const side of ['crm', 'outlook'] as const) {
      for (const k of ['created', 'updated', 'deleted'] as const) {
        last[side][k] += summary.written[side][k];
        s.totals[side][k] += summary.written[side][k];
      }
    }
    s.conflicts += summary.conflicts;
  }
  s.lastWritten = last;
  for (const t of ENTITY_TYPES) s.linked[t] = status.types[t].linked;
}

/** A failed job: after its last attempt the mailbox backs off exponentially (capped), without holding up others. */
export function recordFailure(s: MailboxStatus, message: string, side: SideName | null, final: boolean, baseMs: number, config: ServerConfig, at: Date): void {
  s.lastError = { message, side, at: at.toISOString() };
  if (!final) return;
  s.failures += 1;
  s.state = 'failing';
  const wait = Math.min(baseMs * 2 ** (s.failures - 1), config.timing.maxMailboxBackoffSeconds * 1000);
  s.backoffUntil = new Date(at.getTime() + wait).toISOString();
}

const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const when = (iso: string | number | null | undefined): string => (iso === null || iso === undefined ? '–' : new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC');

const counts = (w: Written | null): string =>
  w ? `OroCRM +${w.crm.created} ~${w.crm.updated} -${w.crm.deleted} · Outlook +${w.outlook.created} ~${w.outlook.updated} -${w.outlook.deleted}` : '–';

/** The status page: plain HTML, refreshed every 10 s, everything escaped. */
export async function renderStatusPage(config: ServerConfig, statuses: StatusStore, queue: Queue<SyncJobData>): Promise<string> {
  const [all, runs, jobCounts, workers] = await Promise.all([
    statuses.all(),
    nextRuns(queue),
    queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed', 'paused'),
    queue.getWorkers().catch(() => []),
  ]);
  const rows = config.users.map((u) => {
    const s = all.get(u.mailbox) ?? emptyStatus(u.mailbox, u.crmUser);
    const next = (kind: 'crm' | 'outlook') => runs.get(schedulerId(u.mailbox, kind));
    const state = s.state === 'following' ? `following ${esc(s.following)}` : s.state === 'failing' ? `failing (${s.failures}×, next try after ${when(s.backoffUntil)})` : s.state;
    return `<tr class="${esc(s.state)}"><td>${esc(u.mailbox)}</td><td>${esc(u.crmUser)}</td><td>${state}</td>
<td>${when(s.lastCheck.crm)}<br><small>every ${esc((next('crm')?.every ?? 0) / 1000)} s, next ${when(next('crm')?.next)}</small></td>
<td>${when(s.lastCheck.outlook)}<br><small>every ${esc((next('outlook')?.every ?? 0) / 1000)} s, next ${when(next('outlook')?.next)}</small></td>
<td>${ENTITY_TYPES.map((t) => `${t}s ${esc(s.linked[t] ?? 0)}`).join(', ')}</td>
<td>last: ${counts(s.lastWritten)}<br>total: ${counts(s.totals)}<br>conflicts ${esc(s.conflicts)}</td>
<td>${s.lastError ? `${esc(s.lastError.message)}<br><small>${when(s.lastError.at)}</small>` : '–'}</td><td>${esc(s.worker ?? '–')}</td></tr>`;
  });
  const health = Object.entries(jobCounts).map(([k, v]) => `${esc(k)} ${esc(v)}`).join(' · ');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>OroCRM Sync server</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}tr.failing{background:#fde7e7}tr.following{background:#eef3fb}small{color:#555}</style></head>
<body><h1>OroCRM Sync server</h1>
<p>CRM ${esc(config.crm.url)} · tenant ${esc(config.microsoft365.tenant)} · ${config.users.length} mailboxes</p>
<h2>Queue</h2><p id="queue">${health}</p><p id="workers">${workers.length} worker connection(s)${workers.length ? ': ' + workers.map((w) => esc(w.name || w.id)).join(', ') : ''}</p>
<h2>Mailboxes</h2><table id="mailboxes"><tr><th>Mailbox</th><th>CRM user</th><th>State</th><th>OroCRM check</th><th>Outlook check</th><th>Linked</th><th>Written</th><th>Last error</th><th>Worker</th></tr>
${rows.join('\n')}</table></body></html>`;
}
