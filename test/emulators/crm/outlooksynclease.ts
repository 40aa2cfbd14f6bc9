// The `outlooksynclease` extension (issue 9; documented in README.md beside this file): one lease per
// CRM user + mailbox, so exactly one sync engine writes for them at a time. Writes are conditional
// (If-Match / If-None-Match: * → 412), expiry is computed on this server's clock only (clients get a
// relative `expiresIn`, so their clock skew never matters), and every new holder gets a higher fencing token.
import type { Request, Response, Router } from '../common/http';
import type { CrmContext, CrmUser } from './context';
import { checkAccept, checkContentType, errorOf, jsonApi, parseJsonBody, UNAUTHORIZED } from './jsonapi';
import { actingUser } from './permissions';

export const LEASE_TYPE = 'outlooksynclease';
export const LEASE_TTL_MIN = 5;
export const LEASE_TTL_MAX = 600;
/** The shared status a holder publishes for followers; larger documents are refused. */
export const LEASE_STATUS_MAX_BYTES = 64 * 1024;
const NAME_MAX = 100;

interface LeaseRow {
  user_id: number;
  mailbox: string;
  holder: string;
  device_label: string;
  fencing_token: number;
  version: number;
  acquired_at: number;
  renewed_at: number;
  expires_at: number;
  sync_requested_at: number | null;
  status: string | null;
}

export function registerOutlookSyncLeaseRoutes(router: Router, ctx: CrmContext): void {
  ctx.db.exec(`CREATE TABLE IF NOT EXISTS outlook_sync_lease (
    user_id INTEGER NOT NULL, mailbox TEXT NOT NULL, holder TEXT NOT NULL, device_label TEXT NOT NULL,
    fencing_token INTEGER NOT NULL, version INTEGER NOT NULL, acquired_at INTEGER NOT NULL, renewed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, sync_requested_at INTEGER, status TEXT, PRIMARY KEY (user_id, mailbox))`);
  router.on('GET', '/api/outlooksynclease/:mailbox', (req) => get(ctx, req));
  router.on('PATCH', '/api/outlooksynclease/:mailbox', (req) => patch(ctx, req));
}

function rowOf(ctx: CrmContext, user: CrmUser, mailbox: string): LeaseRow | undefined {
  return ctx.db.prepare('SELECT * FROM outlook_sync_lease WHERE user_id = ? AND mailbox = ?').get(user.id, mailbox) as LeaseRow | undefined;
}

/** Mailbox addresses compare case-insensitively. */
function mailboxOf(req: Request): string {
  return req.params.mailbox.trim().toLowerCase();
}

function get(ctx: CrmContext, req: Request): Response {
  const caller = ctx.authenticate(req);
  if (!caller) return UNAUTHORIZED;
  const acting = actingUser(ctx, req, caller); // the sync server names ?user=<id>
  if ('response' in acting) return acting.response;
  const user = acting.user;
  const bad = checkAccept(req);
  if (bad) return bad;
  const row = rowOf(ctx, user, mailboxOf(req));
  if (!row) return errorOf(404, 'not found http exception', 'No engine has held the sync lease of this mailbox yet.');
  return document(ctx, row, 200);
}

/**
 * Three writes, told apart by their attributes:
 * - `{holder, deviceLabel, ttl, status?}`: acquire, renew or (ttl 0) release; needs If-Match, or
 *   If-None-Match: * for the first lease of a mailbox;
 * - `{syncRequested: true}`: a follower asks the holder to sync now (no precondition: it changes no lease field).
 */
function patch(ctx: CrmContext, req: Request): Response {
  const caller = ctx.authenticate(req);
  if (!caller) return UNAUTHORIZED;
  const acting = actingUser(ctx, req, caller); // the sync server names ?user=<id>
  if ('response' in acting) return acting.response;
  const user = acting.user;
  const badType = checkContentType(req) ?? checkAccept(req);
  if (badType) return badType;
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;
  const mailbox = mailboxOf(req);
  const data = (parsed.body as { data?: unknown } | null)?.data;
  if (!isObject(data)) return errorOf(400, 'request data constraint', 'The primary data object should exist.', { pointer: '/data' });
  if (data.type !== LEASE_TYPE) return errorOf(409, 'conflict constraint', `The 'type' property of the primary data object should be "${LEASE_TYPE}".`, { pointer: '/data/type' });
  if (typeof data.id !== 'string' || data.id.trim().toLowerCase() !== mailbox) {
    return errorOf(409, 'conflict constraint', "The 'id' property of the primary data object should match the mailbox in the URL.", { pointer: '/data/id' });
  }
  const a = isObject(data.attributes) ? data.attributes : null;
  if (!a) return errorOf(400, 'request data constraint', "The 'attributes' property should be an object.", { pointer: '/data/attributes' });
  const now = ctx.now().getTime();
  const row = rowOf(ctx, user, mailbox);

  if (Object.keys(a).length === 1 && a.syncRequested === true) {
    if (!row) return errorOf(404, 'not found http exception', 'No engine holds the sync lease of this mailbox.');
    ctx.db.prepare('UPDATE outlook_sync_lease SET sync_requested_at = ? WHERE user_id = ? AND mailbox = ?').run(now, user.id, mailbox);
    return document(ctx, rowOf(ctx, user, mailbox)!, 200);
  }

  const invalid = checkLeaseAttributes(a);
  if (invalid) return invalid;
  const holder = a.holder as string;
  const deviceLabel = a.deviceLabel as string;
  const ttlMs = (a.ttl as number) * 1000;
  const status = a.status === undefined ? undefined : a.status === null ? null : JSON.stringify(a.status);

  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifMatch === undefined && ifNoneMatch === undefined) {
    return errorOf(428, 'precondition required http exception', 'Send If-Match with the lease ETag (or If-None-Match: * for a first lease).');
  }
  if (!row) {
    if (ifNoneMatch?.trim() !== '*') return errorOf(412, 'precondition failed http exception', 'This mailbox has no lease yet; acquire it with If-None-Match: *.');
    if (ttlMs === 0) return errorOf(404, 'not found http exception', 'There is no lease to release.');
    const nextToken = 1;
    ctx.db
      .prepare('INSERT INTO outlook_sync_lease VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, NULL, ?)')
      .run(user.id, mailbox, holder, deviceLabel, nextToken, now, now, now + ttlMs, status ?? null);
    return document(ctx, rowOf(ctx, user, mailbox)!, 201);
  }
  if (ifNoneMatch?.trim() === '*') return errorOf(412, 'precondition failed http exception', 'This mailbox already has a lease; read it and send If-Match.');
  if (!etagMatches(ifMatch, etagOf(row))) {
    return errorOf(412, 'precondition failed http exception', `The lease changed since it was read (current ETag ${etagOf(row)}); read it again.`);
  }
  const live = row.expires_at > now;
  if (live && row.holder !== holder) {
    return errorOf(409, 'conflict constraint', `The lease is held by "${row.device_label}" for ${Math.ceil((row.expires_at - now) / 1000)} s more.`);
  }
  if (ttlMs === 0) {
    // Release: expired from now on; only the holder of a live lease may release it.
    if (!live) return document(ctx, row, 200);
    ctx.db.prepare('UPDATE outlook_sync_lease SET expires_at = ?, version = version + 1 WHERE user_id = ? AND mailbox = ?').run(now, user.id, mailbox);
    return document(ctx, rowOf(ctx, user, mailbox)!, 200);
  }
  // A renewal keeps the token; a new holder, or the same one after its lease ran out, gets a higher one.
  const renewal = live && row.holder === holder;
  ctx.db
    .prepare(
      `UPDATE outlook_sync_lease SET holder = ?, device_label = ?, fencing_token = ?, version = version + 1, acquired_at = ?, renewed_at = ?,
       expires_at = ?, status = ?, sync_requested_at = ? WHERE user_id = ? AND mailbox = ?`,
    )
    .run(
      holder,
      deviceLabel,
      renewal ? row.fencing_token : row.fencing_token + 1,
      renewal ? row.acquired_at : now,
      now,
      now + ttlMs,
      status === undefined ? row.status : status,
      renewal ? row.sync_requested_at : null,
      user.id,
      mailbox,
    );
  return document(ctx, rowOf(ctx, user, mailbox)!, 200);
}

function checkLeaseAttributes(a: Record<string, unknown>): Response | null {
  for (const key of Object.keys(a)) {
    if (!['holder', 'deviceLabel', 'ttl', 'status'].includes(key)) {
      return errorOf(400, 'extra fields constraint', `"${key}" is not a writable field of the lease.`, { pointer: `/data/attributes/${key}` });
    }
  }
  for (const key of ['holder', 'deviceLabel'] as const) {
    const v = a[key];
    if (typeof v !== 'string' || v.trim() === '') return errorOf(400, 'not blank constraint', 'This value should not be blank.', { pointer: `/data/attributes/${key}` });
    if (v.length > NAME_MAX) return errorOf(400, 'length constraint', `This value is too long. It should have ${NAME_MAX} characters or less.`, { pointer: `/data/attributes/${key}` });
  }
  const ttl = a.ttl;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || (ttl !== 0 && (ttl < LEASE_TTL_MIN || ttl > LEASE_TTL_MAX))) {
    return errorOf(400, 'range constraint', `ttl should be 0 (release) or whole seconds from ${LEASE_TTL_MIN} to ${LEASE_TTL_MAX}.`, { pointer: '/data/attributes/ttl' });
  }
  if (a.status !== undefined && a.status !== null) {
    if (!isObject(a.status)) return errorOf(400, 'type constraint', 'status should be an object.', { pointer: '/data/attributes/status' });
    if (Buffer.byteLength(JSON.stringify(a.status)) > LEASE_STATUS_MAX_BYTES) {
      return errorOf(400, 'length constraint', `status should be at most ${LEASE_STATUS_MAX_BYTES} bytes of JSON.`, { pointer: '/data/attributes/status' });
    }
  }
  return null;
}

function document(ctx: CrmContext, row: LeaseRow, status: number): Response {
  const now = ctx.now().getTime();
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const attributes = {
    holder: row.holder,
    deviceLabel: row.device_label,
    fencingToken: row.fencing_token,
    acquiredAt: iso(row.acquired_at),
    renewedAt: iso(row.renewed_at),
    expiresAt: iso(row.expires_at),
    // Relative, on this server's clock: what clients time the lease by.
    expiresIn: Math.max(0, (row.expires_at - now) / 1000),
    secondsSinceRenewal: Math.max(0, (now - row.renewed_at) / 1000),
    active: row.expires_at > now,
    syncRequestedAt: iso(row.sync_requested_at),
    status: row.status === null ? null : (JSON.parse(row.status) as unknown),
  };
  return jsonApi(status, { data: { type: LEASE_TYPE, id: row.mailbox, attributes } }, { ETag: etagOf(row) });
}

function etagOf(row: LeaseRow): string {
  return `"${row.fencing_token}.${row.version}"`;
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
