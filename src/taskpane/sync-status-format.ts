// Words and numbers the Sync status section shows: type names, relative times, counts, progress.
import type { ConflictLogEntry } from '../store/types';
import type { EntityType, SideName } from '../sync/records';
import type { PendingDeletion, SyncStatus } from '../sync/status';

export const TYPE_TITLE: Record<EntityType, string> = { contact: 'Contacts', task: 'Tasks', event: 'Calendar Events' };
const TYPE_PLURAL: Record<EntityType, string> = { contact: 'contacts', task: 'tasks', event: 'calendar events' };
const TYPE_SINGULAR: Record<EntityType, string> = { contact: 'contact', task: 'task', event: 'calendar event' };
export const SIDE_TITLE: Record<SideName, string> = { crm: 'OroCRM', outlook: 'Outlook' };

export function typeNoun(type: EntityType, count: number): string {
  return count === 1 ? TYPE_SINGULAR[type] : TYPE_PLURAL[type];
}

const numberFormat = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** "just now", "in 45 s", "3 min ago", "in 2 h", "yesterday"-free: plain units up to days. */
export function relativeTime(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'unknown';
  const diff = at - now;
  const seconds = Math.round(Math.abs(diff) / 1000);
  if (seconds < 5) return diff > 0 ? 'in a moment' : 'just now';
  let amount: string;
  if (seconds < 60) amount = `${seconds} s`;
  else if (seconds < 3600) amount = `${Math.round(seconds / 60)} min`;
  else if (seconds < 86400) amount = `${Math.round(seconds / 3600)} h`;
  else amount = `${Math.round(seconds / 86400)} d`;
  return diff > 0 ? `in ${amount}` : `${amount} ago`;
}

/** The exact time, for a title tooltip. */
export function absoluteTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString();
}

/** "Contacts: 1,234 of 10,000", or "Contacts: 1,234 read from OroCRM" when the side cannot tell the total. */
export function progressText(progress: NonNullable<SyncStatus['firstSync']>): string {
  const title = TYPE_TITLE[progress.type];
  if (progress.total === null) return `${title}: ${formatCount(progress.processed)} read from ${SIDE_TITLE[progress.side]}`;
  return `${title}: ${formatCount(progress.processed)} of ${formatCount(progress.total)}`;
}

export function deletionText(pending: PendingDeletion): string {
  return `Sync would delete ${formatCount(pending.count)} of ${formatCount(pending.linked)} Outlook ${typeNoun(pending.type, pending.linked)}.`;
}

/** "firstName" → "first name". */
export function fieldLabel(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return value.length ? value.map(valueText).join(', ') : '(empty)';
  if (typeof value === 'object') {
    const parts = Object.values(value as Record<string, unknown>).filter((v) => v !== null && v !== undefined && v !== '');
    return parts.length ? `"${parts.join(', ')}"` : '(empty)';
  }
  return String(value);
}

export function losingSide(entry: ConflictLogEntry): SideName {
  return entry.winner === 'crm' ? 'outlook' : 'crm';
}

/** "Syncing in Outlook on Windows since 10:42 · last check 20 s ago": what a following pane says. */
export function followingText(f: { deviceLabel: string; since: string; lastCheckAgoSeconds: number | null; stale: boolean; observedAt: number } | null, now: number): string {
  if (!f) return 'Another Outlook window syncs this mailbox; this pane shows its status.';
  const since = new Date(f.since);
  const hhmm = Number.isNaN(since.getTime()) ? f.since : since.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  if (f.stale) return `${f.deviceLabel} stopped syncing this mailbox. Sync now takes over here.`;
  const ago = f.lastCheckAgoSeconds === null ? null : f.lastCheckAgoSeconds + Math.max(0, Math.round((now - f.observedAt) / 1000));
  const check = ago === null ? 'first check running' : `last check ${relativeTime(new Date(now - ago * 1000).toISOString(), now)}`;
  return `Syncing in ${f.deviceLabel} since ${hhmm} · ${check}`;
}

/** "Synced by the OroCRM Sync server · last check 20 s ago": what a pane following the sync server says. */
export function serverFollowingText(f: { lastCheckAgoSeconds: number | null; stale: boolean; observedAt: number }, now: number): string {
  if (f.stale) return 'The OroCRM Sync server stopped syncing this mailbox; this pane takes over.';
  const ago = f.lastCheckAgoSeconds === null ? null : f.lastCheckAgoSeconds + Math.max(0, Math.round((now - f.observedAt) / 1000));
  const check = ago === null ? 'first check running' : `last check ${relativeTime(new Date(now - ago * 1000).toISOString(), now)}`;
  return `Synced by the OroCRM Sync server · ${check}`;
}
