// Oro's data audit (oro-api.md §7): every create/update/remove of a contact, task or calendar event
// leaves a row, readable through the legacy GET /api/rest/{v}/audits. The API can be switched to
// "missing" (404, as on installs without DataAuditBundle routes) or "forbidden" (403, no ACL) for tests.
import type Database from 'better-sqlite3';
import type { Request, Response, Router } from '../../common/http';
import type { CrmContext } from '../context';
import { legacyDateTime, oroDateTime } from './schema';
import { legacyError, parseLegacyQuery, type LegacyCondition } from './legacy';
import { quirks } from './quirks';

export const AUDIT_CLASSES = {
  contacts: 'Oro\\Bundle\\ContactBundle\\Entity\\Contact',
  tasks: 'Oro\\Bundle\\TaskBundle\\Entity\\Task',
  calendarevents: 'Oro\\Bundle\\CalendarBundle\\Entity\\CalendarEvent',
} as const;

export type AuditMode = 'on' | 'missing' | 'forbidden';
export const AUDIT_MODES: readonly AuditMode[] = ['on', 'missing', 'forbidden'];

export interface AuditEntry {
  action: 'create' | 'update' | 'remove';
  objectClass: string;
  objectId: number;
  objectName: string;
  userId: number | null;
  organizationId: number | null;
  /** Changed fields, `{field: {old, new}}`. */
  data: Record<string, { old: unknown; new: unknown }>;
}

/**
 * The change's audit message: written now, or queued for later (quirk lateAudit), as Oro's message
 * queue consumer writes it. Either way loggedAt is the flush time `at`.
 */
export function recordAudit(db: Database.Database, entry: AuditEntry, at: Date): void {
  const late = quirks(db).lateAudit;
  if (late) {
    const messageNo = nextMessageNo(db);
    if ((messageNo - 1) % late.every === 0) {
      db.prepare('INSERT INTO crm_audit_queue (entry, logged_at, requests_left) VALUES (?, ?, ?)').run(JSON.stringify(entry), oroDateTime(at), late.afterRequests);
      return;
    }
  }
  writeAudit(db, entry, oroDateTime(at));
}

function nextMessageNo(db: Database.Database): number {
  const row = db.prepare("SELECT value FROM crm_emulator_settings WHERE name = 'audit_messages'").get() as { value: string } | undefined;
  const n = Number(row?.value ?? 0) + 1;
  db.prepare("INSERT INTO crm_emulator_settings (name, value) VALUES ('audit_messages', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value").run(String(n));
  return n;
}

/** Called before every API request: the queued audit messages whose time has come are written, newest first. */
export function consumeAuditQueue(db: Database.Database): void {
  db.transaction(() => {
    db.prepare('UPDATE crm_audit_queue SET requests_left = requests_left - 1 WHERE requests_left > 0').run();
    const due = db.prepare('SELECT * FROM crm_audit_queue WHERE requests_left <= 0 ORDER BY id DESC').all() as Array<{ id: number; entry: string; logged_at: string }>;
    for (const m of due) {
      writeAudit(db, JSON.parse(m.entry) as AuditEntry, m.logged_at);
      db.prepare('DELETE FROM crm_audit_queue WHERE id = ?').run(m.id);
    }
  })();
}

function writeAudit(db: Database.Database, entry: AuditEntry, loggedAt: string): void {
  const prev = db.prepare('SELECT MAX(version) AS v FROM crm_audits WHERE object_class = ? AND object_id = ?').get(entry.objectClass, String(entry.objectId)) as { v: number | null };
  db.prepare(
    `INSERT INTO crm_audits (action, object_class, object_id, object_name, logged_at, user_id, organization_id, version, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(entry.action, entry.objectClass, String(entry.objectId), entry.objectName, loggedAt, entry.userId, entry.organizationId, (prev.v ?? 0) + 1, JSON.stringify(entry.data));
}

/** Field-level diff of two flat attribute maps, for the audit `data` column. */
export function diff(before: Record<string, unknown> | null, after: Record<string, unknown> | null): AuditEntry['data'] {
  const out: AuditEntry['data'] = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    const o = before?.[k] ?? null;
    const n = after?.[k] ?? null;
    if (JSON.stringify(o) !== JSON.stringify(n)) out[k] = { old: o, new: n };
  }
  return out;
}

export function auditMode(db: Database.Database): AuditMode {
  const row = db.prepare("SELECT value FROM crm_emulator_settings WHERE name = 'audit_mode'").get() as { value: string } | undefined;
  return (row?.value as AuditMode | undefined) ?? 'on';
}

export function setAuditMode(db: Database.Database, mode: AuditMode): void {
  db.prepare("INSERT INTO crm_emulator_settings (name, value) VALUES ('audit_mode', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value").run(mode);
}

interface AuditRow {
  id: number;
  action: string;
  object_class: string;
  object_id: string;
  object_name: string | null;
  logged_at: string;
  user_id: number | null;
  organization_id: number | null;
  version: number;
  data: string;
}

const FILTERS: Record<string, { column: keyof AuditRow; kind: 'string' | 'integer' | 'datetime' }> = {
  action: { column: 'action', kind: 'string' },
  objectClass: { column: 'object_class', kind: 'string' },
  user: { column: 'user_id', kind: 'integer' },
  loggedAt: { column: 'logged_at', kind: 'datetime' },
};

export function registerAuditRoutes(router: Router, ctx: CrmContext): void {
  // Real Oro's Date header and its loggedAt values come from the same clock.
  const dated = (res: Response): Response => ({ ...res, headers: { Date: ctx.now().toUTCString(), ...(res.headers ?? {}) } });
  const list = (req: Request) => {
    consumeAuditQueue(ctx.db);
    return dated(listAudits(req, ctx));
  };
  const one = (req: Request) => {
    consumeAuditQueue(ctx.db);
    return dated(getAudit(req, ctx));
  };
  router.on('GET', '/api/rest/:version/audits', list);
  router.on('GET', '/api/rest/:version/audits.json', list);
  router.on('GET', '/api/rest/:version/audits/:id', one);
  // Emulator control (not part of Oro): POST /_emulator/audit {"mode":"on"|"missing"|"forbidden"}.
  router.on('POST', '/_emulator/audit', (req) => {
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody || '{}');
    } catch {
      return { status: 400, body: { error: 'body must be JSON' } };
    }
    const mode = typeof body === 'object' && body !== null ? (body as { mode?: unknown }).mode : undefined;
    if (!AUDIT_MODES.includes(mode as AuditMode)) return { status: 400, body: { error: `mode must be one of ${AUDIT_MODES.join(', ')}` } };
    setAuditMode(ctx.db, mode as AuditMode);
    return { status: 200, body: { mode } };
  });
  router.on('GET', '/_emulator/audit', () => ({ status: 200, body: { mode: auditMode(ctx.db) } }));
}

function gate(req: Request, ctx: CrmContext): Response | null {
  if (!/^(latest|v1)(\.json)?$/.test(req.params.version ?? '')) return legacyError(404, `No route found for "${req.method} ${req.path}"`);
  const mode = auditMode(ctx.db);
  if (mode === 'missing') return legacyError(404, `No route found for "${req.method} ${req.path}"`);
  if (mode === 'forbidden') return { status: 403, headers: { 'Content-Type': 'application/json' }, body: { code: 403, message: 'Access Denied.' } };
  return null;
}

function listAudits(req: Request, ctx: CrmContext): Response {
  const blocked = gate(req, ctx);
  if (blocked) return blocked;
  const parsed = parseLegacyQuery(req);
  let page = 1;
  let limit = 10;
  const conditions: Array<LegacyCondition & { column: keyof AuditRow; kind: string }> = [];
  for (const c of parsed) {
    if (c.name === 'page' || c.name === 'limit') {
      if (!/^\d+$/.test(c.value) || Number(c.value) < 1) return legacyError(400, `Invalid "${c.name}" parameter: "${c.value}".`);
      if (c.name === 'page') page = Number(c.value);
      else limit = Number(c.value);
      continue;
    }
    const f = FILTERS[c.name];
    if (!f) continue; // The legacy controller ignores unknown query parameters.
    conditions.push({ ...c, ...f });
  }
  let rows = ctx.db.prepare('SELECT * FROM crm_audits ORDER BY id').all() as AuditRow[];
  for (const c of conditions) {
    let want: string | number = c.value;
    if (c.name === 'objectClass') want = c.value.replace(/_/g, '\\');
    if (c.kind === 'integer') want = Number(c.value);
    if (c.kind === 'datetime') {
      const ms = Date.parse(c.value);
      if (Number.isNaN(ms)) return legacyError(400, `Invalid "${c.name}" value: "${c.value}".`);
      want = Math.floor(ms / 1000);
    }
    rows = rows.filter((r) => {
      const raw = r[c.column];
      const actual = c.kind === 'datetime' ? Date.parse(String(raw)) / 1000 : raw;
      if (actual === null) return c.op === '<>';
      return compare(actual as string | number, c.op, want);
    });
  }
  const total = rows.length;
  const pageRows = rows.slice((page - 1) * limit, page * limit);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if ((req.headers['x-include'] ?? '').toString().includes('totalCount')) headers['X-Include-Total-Count'] = String(total);
  return { status: 200, headers, body: pageRows.map(serializeAudit) };
}

function getAudit(req: Request, ctx: CrmContext): Response {
  const blocked = gate(req, ctx);
  if (blocked) return blocked;
  const id = req.params.id.replace(/\.json$/, '');
  const row = /^\d+$/.test(id) ? (ctx.db.prepare('SELECT * FROM crm_audits WHERE id = ?').get(Number(id)) as AuditRow | undefined) : undefined;
  if (!row) return { status: 404, headers: { 'Content-Type': 'application/json' }, body: '' };
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: serializeAudit(row) };
}

export function compare(actual: string | number, op: LegacyCondition['op'], want: string | number): boolean {
  switch (op) {
    case '=':
      return actual === want;
    case '<>':
      return actual !== want;
    case '<':
      return actual < want;
    case '>':
      return actual > want;
    case '<=':
      return actual <= want;
    case '>=':
      return actual >= want;
  }
}

function serializeAudit(r: AuditRow): Record<string, unknown> {
  return {
    id: r.id,
    action: r.action,
    version: r.version,
    objectClass: r.object_class,
    objectName: r.object_name,
    // The column is a string in Oro (oro-api.md §7), so it is serialized as one.
    objectId: r.object_id,
    loggedAt: legacyDateTime(r.logged_at),
    user: r.user_id,
    organization: r.organization_id,
    data: JSON.parse(r.data) as unknown,
  };
}
