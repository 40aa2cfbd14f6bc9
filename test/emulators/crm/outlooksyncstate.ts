// The `outlooksyncstate` extension (issue 9 "Handover"; README.md beside this file): the sync state all
// engines of a CRM user + mailbox share (relations with their merge base, and checkpoints). Writes are
// fenced: they must carry the fencing token of the live `outlooksynclease`, or they are refused (409).
import type { Request, Response, Router } from '../common/http';
import type { CrmContext } from './context';
import { checkAccept, checkContentType, errorOf, jsonApi, parseJsonBody, UNAUTHORIZED } from './jsonapi';
import { actingUser } from './permissions';

export const STATE_TYPE = 'outlooksyncstate';
const TYPES = ['contact', 'task', 'event'];
const SIDES = ['crm', 'outlook'];
/** Relations and checkpoints per request at most (a first sync's step of 1,000 fits). */
const MAX_CHANGES = 5000;

export function registerOutlookSyncStateRoutes(router: Router, ctx: CrmContext): void {
  ctx.db.exec(`CREATE TABLE IF NOT EXISTS outlook_sync_state (user_id INTEGER NOT NULL, mailbox TEXT NOT NULL, revision INTEGER NOT NULL, PRIMARY KEY (user_id, mailbox));
    CREATE TABLE IF NOT EXISTS outlook_sync_state_relation (user_id INTEGER NOT NULL, mailbox TEXT NOT NULL, type TEXT NOT NULL, crm_id TEXT NOT NULL, outlook_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (user_id, mailbox, type, crm_id));
    CREATE TABLE IF NOT EXISTS outlook_sync_state_journal (user_id INTEGER NOT NULL, mailbox TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (user_id, mailbox, key));
    CREATE TABLE IF NOT EXISTS outlook_sync_state_checkpoint (user_id INTEGER NOT NULL, mailbox TEXT NOT NULL, type TEXT NOT NULL, side TEXT NOT NULL, checkpoint TEXT, PRIMARY KEY (user_id, mailbox, type, side));`);
  router.on('GET', '/api/outlooksyncstate/:mailbox', (req) => get(ctx, req));
  router.on('PATCH', '/api/outlooksyncstate/:mailbox', (req) => patch(ctx, req));
}

function get(ctx: CrmContext, req: Request): Response {
  const caller = ctx.authenticate(req);
  if (!caller) return UNAUTHORIZED;
  const acting = actingUser(ctx, req, caller); // the sync server names ?user=<id>
  if ('response' in acting) return acting.response;
  const user = acting.user;
  const bad = checkAccept(req);
  if (bad) return bad;
  const mailbox = req.params.mailbox.trim().toLowerCase();
  const revision = (ctx.db.prepare('SELECT revision FROM outlook_sync_state WHERE user_id = ? AND mailbox = ?').get(user.id, mailbox) as { revision: number } | undefined)?.revision ?? 0;
  const relations = (ctx.db.prepare('SELECT body FROM outlook_sync_state_relation WHERE user_id = ? AND mailbox = ? ORDER BY type, crm_id').all(user.id, mailbox) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as unknown);
  const checkpoints = ctx.db.prepare('SELECT type, side, checkpoint FROM outlook_sync_state_checkpoint WHERE user_id = ? AND mailbox = ?').all(user.id, mailbox);
  const journal = (ctx.db.prepare('SELECT body FROM outlook_sync_state_journal WHERE user_id = ? AND mailbox = ? ORDER BY key').all(user.id, mailbox) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as unknown);
  return jsonApi(200, { data: { type: STATE_TYPE, id: mailbox, attributes: { revision, relations, checkpoints, journal } } });
}

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
  const mailbox = req.params.mailbox.trim().toLowerCase();
  const a = (parsed.body as { data?: { attributes?: Record<string, unknown> } } | null)?.data?.attributes;
  if (!a || typeof a !== 'object') return errorOf(400, 'request data constraint', "The 'attributes' property should be an object.", { pointer: '/data/attributes' });
  const { fencingToken, put = [], delete: del = [], checkpoints = [], addJournal = [], removeJournal = [] } = a as Record<string, unknown>;
  if (typeof fencingToken !== 'number') return errorOf(400, 'not blank constraint', 'fencingToken is required.', { pointer: '/data/attributes/fencingToken' });
  if (!Array.isArray(put) || !Array.isArray(del) || !Array.isArray(checkpoints) || !Array.isArray(addJournal) || !Array.isArray(removeJournal)) {
    return errorOf(400, 'type constraint', 'put, delete, checkpoints, addJournal and removeJournal should be arrays.', { pointer: '/data/attributes' });
  }
  for (const [i, e] of (addJournal as Array<{ key?: unknown }>).entries()) {
    if (!e || typeof e.key !== 'string') return errorOf(400, 'type constraint', 'A journal entry needs a key.', { pointer: `/data/attributes/addJournal/${i}` });
  }
  for (const [i, k] of (removeJournal as unknown[]).entries()) {
    if (typeof k !== 'string') return errorOf(400, 'type constraint', 'removeJournal holds keys.', { pointer: `/data/attributes/removeJournal/${i}` });
  }
  if (put.length + del.length + checkpoints.length + addJournal.length + removeJournal.length > MAX_CHANGES) return errorOf(400, 'count constraint', `At most ${MAX_CHANGES} changes per request.`, { pointer: '/data/attributes' });
  for (const [i, r] of put.entries()) {
    const ok = r && typeof r === 'object' && TYPES.includes((r as { type?: string }).type ?? '') && typeof (r as { crmId?: unknown }).crmId === 'string' && typeof (r as { outlookId?: unknown }).outlookId === 'string';
    if (!ok) return errorOf(400, 'type constraint', 'A relation needs type, crmId and outlookId.', { pointer: `/data/attributes/put/${i}` });
  }
  for (const [i, d] of (del as Array<{ type?: string; crmId?: unknown }>).entries()) {
    if (!d || !TYPES.includes(d.type ?? '') || typeof d.crmId !== 'string') return errorOf(400, 'type constraint', 'A deletion needs type and crmId.', { pointer: `/data/attributes/delete/${i}` });
  }
  for (const [i, c] of (checkpoints as Array<{ type?: string; side?: string; checkpoint?: unknown }>).entries()) {
    if (!c || !TYPES.includes(c.type ?? '') || !SIDES.includes(c.side ?? '') || !(c.checkpoint === null || typeof c.checkpoint === 'string')) {
      return errorOf(400, 'type constraint', 'A checkpoint needs type, side and checkpoint (string or null).', { pointer: `/data/attributes/checkpoints/${i}` });
    }
  }
  // Fencing: only the live lease's current token may write.
  const lease = ctx.db.prepare('SELECT fencing_token, expires_at FROM outlook_sync_lease WHERE user_id = ? AND mailbox = ?').get(user.id, mailbox) as { fencing_token: number; expires_at: number } | undefined;
  if (!lease || lease.expires_at <= ctx.now().getTime() || lease.fencing_token !== fencingToken) {
    return errorOf(409, 'conflict constraint', `Fencing token ${fencingToken} does not hold the live sync lease of this mailbox.`, { pointer: '/data/attributes/fencingToken' });
  }
  const revision = ctx.db.transaction(() => {
    const delRel = ctx.db.prepare('DELETE FROM outlook_sync_state_relation WHERE user_id = ? AND mailbox = ? AND type = ? AND crm_id = ?');
    for (const d of del as Array<{ type: string; crmId: string }>) delRel.run(user.id, mailbox, d.type, d.crmId);
    const byOutlook = ctx.db.prepare('DELETE FROM outlook_sync_state_relation WHERE user_id = ? AND mailbox = ? AND type = ? AND outlook_id = ?');
    const putRel = ctx.db.prepare('INSERT OR REPLACE INTO outlook_sync_state_relation VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of put as Array<{ type: string; crmId: string; outlookId: string }>) {
      byOutlook.run(user.id, mailbox, r.type, r.outlookId); // one Outlook item, one relation (as in the local store)
      putRel.run(user.id, mailbox, r.type, r.crmId, r.outlookId, JSON.stringify(r));
    }
    const putCp = ctx.db.prepare('INSERT OR REPLACE INTO outlook_sync_state_checkpoint VALUES (?, ?, ?, ?, ?)');
    for (const c of checkpoints as Array<{ type: string; side: string; checkpoint: string | null }>) putCp.run(user.id, mailbox, c.type, c.side, c.checkpoint);
    const delJ = ctx.db.prepare('DELETE FROM outlook_sync_state_journal WHERE user_id = ? AND mailbox = ? AND key = ?');
    for (const k of removeJournal as string[]) delJ.run(user.id, mailbox, k);
    const putJ = ctx.db.prepare('INSERT OR REPLACE INTO outlook_sync_state_journal VALUES (?, ?, ?, ?)');
    for (const e of addJournal as Array<{ key: string }>) putJ.run(user.id, mailbox, e.key, JSON.stringify(e));
    ctx.db.prepare('INSERT INTO outlook_sync_state VALUES (?, ?, 1) ON CONFLICT (user_id, mailbox) DO UPDATE SET revision = revision + 1').run(user.id, mailbox);
    return (ctx.db.prepare('SELECT revision FROM outlook_sync_state WHERE user_id = ? AND mailbox = ?').get(user.id, mailbox) as { revision: number }).revision;
  })();
  return jsonApi(200, { data: { type: STATE_TYPE, id: mailbox, attributes: { revision } } });
}
