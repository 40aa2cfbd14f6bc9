// Generic JSON:API handlers for Oro resources (oro-api.md §4): list with filters/sort/paging/fields/
// include/totalCount/HATEOAS, get, POST (201 + Location), PATCH, DELETE, DELETE on a filtered
// collection, and the synchronous batch (PATCH collection + X-Mode: sync), atomic, ≤100 + ≤50 included.
import type Database from 'better-sqlite3';
import type { Request, Response, Router } from '../../common/http';
import type { CrmContext, CrmUser } from '../context';
import { checkAccept, checkContentType, errorOf, errorResponse, JSON_API, jsonApi, notFoundEntity, parseJsonBody, problem, type ErrorObject } from '../jsonapi';
import { deferBatch, registerBatchRunner, runDueOperations } from './async-operations';
import { Problems, type ResourceObject } from './attributes';
import { consumeAuditQueue, diff, recordAudit } from './audit';
import { compareBy, fail, matches, OroProblems, parseListQuery, type FilterDef, type Scalar } from './query';
import { oroDateTime } from './schema';

export const SYNC_BATCH_LIMIT = 100;
export const SYNC_BATCH_INCLUDED_LIMIT = 50;

export interface BaseEntity {
  id: number;
  ownerId: number;
  organizationId: number;
  createdAt: string;
  updatedAt: string;
}

/** Included resources of one request; primary items take what they reference. */
export class IncludedPool {
  private readonly items = new Map<string, { item: ResourceObject; index: number; used: boolean }>();
  constructor(included: unknown[], problems: Problems) {
    included.forEach((raw, index) => {
      const item = raw as ResourceObject;
      if (typeof item !== 'object' || item === null || typeof item.type !== 'string' || (typeof item.id !== 'string' && typeof item.id !== 'number')) {
        problems.add(400, 'request data constraint', 'The included item should have "type" and "id".', `/included/${index}`);
        return;
      }
      this.items.set(`${item.type}:${item.id}`, { item, index, used: false });
    });
  }
  take(type: string, id: string): { item: ResourceObject; pointer: string } | null {
    const found = this.items.get(`${type}:${id}`);
    if (!found) return null;
    found.used = true;
    return { item: found.item, pointer: `/included/${found.index}` };
  }
  /** Included items whose `owner` relationship points at a primary item (`{type,id}` as sent). */
  ownedBy(type: string, ownerType: string, ownerId: string): Array<{ item: ResourceObject; pointer: string; id: string }> {
    const out: Array<{ item: ResourceObject; pointer: string; id: string }> = [];
    for (const [key, v] of this.items) {
      if (v.used || v.item.type !== type) continue;
      const owner = v.item.relationships?.owner?.data as { type?: string; id?: unknown } | undefined;
      if (owner && owner.type === ownerType && String(owner.id) === ownerId) {
        v.used = true;
        out.push({ item: v.item, pointer: `/included/${v.index}`, id: key.slice(type.length + 1) });
      }
    }
    return out;
  }
  unused(): number[] {
    return [...this.items.values()].filter((v) => !v.used).map((v) => v.index);
  }
}

export interface WriteContext {
  db: Database.Database;
  user: CrmUser;
  now: string;
  problems: Problems;
  /** `/data` or `/data/N`. */
  pointer: string;
  included: IncludedPool;
  isNew: boolean;
  /** The id the client sent for this item (temporary id on creates). */
  requestId: string | null;
}

export interface SerializeOptions {
  fields?: Set<string>;
  hateoas: boolean;
  base: string;
}

export interface ResourceType<E extends BaseEntity> {
  type: string;
  auditClass: string;
  filters: Record<string, FilterDef<E>>;
  sorters: Record<string, (e: E) => Scalar | null>;
  includes: readonly string[];
  all(db: Database.Database): E[];
  load(db: Database.Database, id: number): E | null;
  /** For resources whose ids are not integers (dictionaries such as taskpriorities). */
  loadByKey?(db: Database.Database, key: string): E | null;
  blank(user: CrmUser, now: string): E;
  clone(e: E): E;
  /** Reads a resource object onto the entity, reporting problems with pointers. */
  apply(e: E, item: ResourceObject, w: WriteContext): void;
  /** Whole-entity rules that run after apply (required fields, contact information). */
  validate(e: E, w: WriteContext): void;
  /** A problem when a unique field collides with a stored entity or another one of the same request. */
  conflict?(db: Database.Database, e: E, others: E[], pointer: string): ErrorObject | null;
  /** Inserts or updates (children too); returns the id. */
  save(db: Database.Database, e: E, isNew: boolean): number;
  remove(db: Database.Database, e: E): void;
  serialize(e: E, o: SerializeOptions): ResourceObject;
  /** Resources for `include=<path>`. */
  related(db: Database.Database, e: E, path: string, o: SerializeOptions): ResourceObject[];
  /** Included resources created or updated by the last write (with their request ids). */
  writtenIncluded?(e: E, o: SerializeOptions): ResourceObject[];
  auditView(e: E): Record<string, unknown>;
  objectName(e: E): string;
}

/** Runs a handler; a thrown OroProblems becomes Oro's error document, and a Date header carries the emulator clock. */
export function guarded(ctx: CrmContext, handler: (req: Request, user: CrmUser) => Response): (req: Request) => Response {
  return (req): Response => {
    const user = ctx.authenticate(req);
    if (!user) return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
    // The message queue finishes batches that went async (async-operations.ts) between requests.
    runDueOperations(ctx);
    consumeAuditQueue(ctx.db);
    let res: Response;
    try {
      res = checkAccept(req) ?? handler(req, user);
    } catch (e) {
      if (!(e instanceof OroProblems)) throw e;
      res = errorResponse(e.errors);
    }
    // Real Oro's Date header and its updatedAt values come from the same clock.
    return { ...res, headers: { Date: ctx.now().toUTCString(), ...(res.headers ?? {}) } };
  };
}

export function registerResource<E extends BaseEntity>(router: Router, ctx: CrmContext, rt: ResourceType<E>, readOnly = false): void {
  const base = `/api/${rt.type}`;
  router.on('GET', base, guarded(ctx, (req) => list(req, ctx, rt)));
  router.on('GET', `${base}/:id`, guarded(ctx, (req) => getOne(req, ctx, rt)));
  if (readOnly) {
    const notAllowed = guarded(ctx, () => errorOf(405, 'action not allowed exception', 'The action is not allowed.'));
    for (const m of ['POST', 'PATCH', 'DELETE', 'PUT']) {
      router.on(m, base, notAllowed, { refusal: true });
      router.on(m, `${base}/:id`, notAllowed, { refusal: true });
    }
    return;
  }
  router.on('POST', base, guarded(ctx, (req, user) => write(req, ctx, rt, user, 'post')));
  router.on('PATCH', `${base}/:id`, guarded(ctx, (req, user) => write(req, ctx, rt, user, 'patch')));
  router.on('PATCH', base, guarded(ctx, (req, user) => write(req, ctx, rt, user, 'batch')));
  registerBatchRunner(rt.type, (doc, user) => {
    const stored = { method: 'PATCH', path: base, url: new URL(`${ctx.baseUrl()}${base}`), params: {}, headers: { 'content-type': JSON_API, 'x-mode': 'sync', 'x-include': 'noHateoas' }, rawBody: JSON.stringify(doc), route: base } as unknown as Request;
    return write(stored, ctx, rt, user, 'batch', false);
  });
  router.on('DELETE', `${base}/:id`, guarded(ctx, (req, user) => deleteOne(req, ctx, rt, user)));
  router.on('DELETE', base, guarded(ctx, (req, user) => deleteList(req, ctx, rt, user)));
  for (const m of ['PUT']) {
    router.on(m, base, guarded(ctx, () => errorOf(405, 'action not allowed exception', 'The action is not allowed.')), { refusal: true });
    router.on(m, `${base}/:id`, guarded(ctx, () => errorOf(405, 'action not allowed exception', 'The action is not allowed.')), { refusal: true });
  }
}

function serializeOptions(ctx: CrmContext, type: string, fields: Record<string, Set<string>>, hateoas: boolean): SerializeOptions {
  return { fields: fields[type], hateoas, base: ctx.baseUrl() };
}

/**
 * A list reads every entity of its type, sorted, until the database changes: loading and sorting
 * 10,000 contacts on each page read made the emulator, not the client, the bench's bottleneck. The
 * stamp is this connection's change count plus SQLite's data_version (bumped by other connections).
 */
const listCache = new WeakMap<Database.Database, { stamp: string; byType: Map<string, { all: BaseEntity[]; sorted: Map<string, BaseEntity[]> }> }>();
const stampStatements = new WeakMap<Database.Database, Database.Statement>();

function databaseStamp(db: Database.Database): string {
  let statement = stampStatements.get(db);
  if (!statement) {
    statement = db.prepare('SELECT total_changes() AS n');
    stampStatements.set(db, statement);
  }
  return `${(statement.get() as { n: number }).n}:${String(db.pragma('data_version', { simple: true }))}`;
}

/** Every entity of the type in the query's order; shared and read-only (callers copy before changing). */
function sortedEntities<E extends BaseEntity>(db: Database.Database, rt: ResourceType<E>, sort: Parameters<typeof compareBy>[0]): readonly E[] {
  const stamp = databaseStamp(db);
  let cache = listCache.get(db);
  if (!cache || cache.stamp !== stamp) {
    cache = { stamp, byType: new Map() };
    listCache.set(db, cache);
  }
  let entry = cache.byType.get(rt.type);
  if (!entry) {
    entry = { all: rt.all(db), sorted: new Map() };
    cache.byType.set(rt.type, entry);
  }
  const key = JSON.stringify(sort);
  let sorted = entry.sorted.get(key) as E[] | undefined;
  if (!sorted) {
    sorted = [...(entry.all as E[])].sort(compareBy(sort, rt.sorters));
    entry.sorted.set(key, sorted);
  }
  return sorted;
}

function list<E extends BaseEntity>(req: Request, ctx: CrmContext, rt: ResourceType<E>): Response {
  const q = parseListQuery(req, rt.type, rt);
  const rows = sortedEntities(ctx.db, rt, q.sort).filter((e) => matches(e, q.filters, rt.filters));
  const total = rows.length;
  const size = q.pageSize === -1 ? Math.max(total, 1) : q.pageSize;
  const page = q.pageSize === -1 ? rows : rows.slice((q.pageNumber - 1) * size, q.pageNumber * size);
  const o = serializeOptions(ctx, rt.type, q.fields, q.hateoas);
  const body: Record<string, unknown> = { data: page.map((e) => applyFields(rt.serialize(e, o), o.fields)) };
  const included = collectIncluded(ctx, rt, page, q.include, q.fields, q.hateoas);
  if (included.length) body.included = included;
  if (q.hateoas) {
    const more = q.pageSize !== -1 && q.pageNumber * size < total;
    body.links = listLinks(ctx, req, q.pageNumber, more);
  }
  const headers: Record<string, string> = q.totalCount ? { 'X-Include-Total-Count': String(total) } : {};
  return jsonApi(200, body, headers);
}

function listLinks(ctx: CrmContext, req: Request, page: number, more: boolean): Record<string, string> {
  const at = (n: number) => {
    const params = new URLSearchParams(req.url.searchParams);
    params.delete('page[number]');
    if (n > 1) params.set('page[number]', String(n));
    const qs = params.toString();
    return `${ctx.baseUrl()}${req.path}${qs ? `?${qs}` : ''}`;
  };
  const links: Record<string, string> = { self: at(page) };
  if (page > 1) {
    links.first = at(1);
    links.prev = at(page - 1);
  }
  if (more) links.next = at(page + 1);
  return links;
}

function collectIncluded<E extends BaseEntity>(ctx: CrmContext, rt: ResourceType<E>, rows: E[], include: string[], fields: Record<string, Set<string>>, hateoas: boolean): ResourceObject[] {
  const seen = new Set<string>();
  const out: ResourceObject[] = [];
  for (const path of include) {
    for (const e of rows) {
      for (const r of rt.related(ctx.db, e, path, { fields: undefined, hateoas, base: ctx.baseUrl() })) {
        const key = `${r.type}:${r.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(applyFields(r, fields[r.type]));
      }
    }
  }
  return out;
}

/** Sparse fieldsets: keep only the named attributes and relationships. */
export function applyFields(r: ResourceObject, fields: Set<string> | undefined): ResourceObject {
  if (!fields) return r;
  const pick = <T>(m: Record<string, T> | undefined) => (m ? Object.fromEntries(Object.entries(m).filter(([k]) => fields.has(k))) : undefined);
  const out: ResourceObject = { type: r.type, id: r.id };
  if (r.links) out.links = r.links;
  const a = pick(r.attributes);
  const rel = pick(r.relationships);
  if (a && Object.keys(a).length) out.attributes = a;
  if (rel && Object.keys(rel).length) out.relationships = rel;
  return out;
}

function parseId(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : -1;
}

function getOne<E extends BaseEntity>(req: Request, ctx: CrmContext, rt: ResourceType<E>): Response {
  const e = rt.loadByKey ? rt.loadByKey(ctx.db, req.params.id) : rt.load(ctx.db, parseId(req.params.id));
  const q = parseListQuery(req, rt.type, { filters: {}, sorters: rt.sorters, includes: rt.includes });
  if (!e) return notFoundEntity();
  const o = serializeOptions(ctx, rt.type, q.fields, q.hateoas);
  const body: Record<string, unknown> = { data: applyFields(rt.serialize(e, o), o.fields) };
  const included = collectIncluded(ctx, rt, [e], q.include, q.fields, q.hateoas);
  if (included.length) body.included = included;
  return jsonApi(200, body);
}

function deleteOne<E extends BaseEntity>(req: Request, ctx: CrmContext, rt: ResourceType<E>, user: CrmUser): Response {
  const e = rt.load(ctx.db, parseId(req.params.id));
  if (!e) return notFoundEntity();
  removeAll(ctx, rt, user, [e]);
  return { status: 204 };
}

function deleteList<E extends BaseEntity>(req: Request, ctx: CrmContext, rt: ResourceType<E>, user: CrmUser): Response {
  const q = parseListQuery(req, rt.type, rt);
  if (!q.filters.length) fail(400, 'filter constraint', 'At least one filter must be provided.');
  const rows = rt.all(ctx.db).filter((e) => matches(e, q.filters, rt.filters));
  removeAll(ctx, rt, user, rows);
  const headers: Record<string, string> = {};
  if (q.totalCount) headers['X-Include-Total-Count'] = String(rows.length);
  return { status: 204, headers };
}

function removeAll<E extends BaseEntity>(ctx: CrmContext, rt: ResourceType<E>, user: CrmUser, rows: E[]): void {
  const at = ctx.now();
  ctx.db.transaction(() => {
    for (const e of rows) {
      rt.remove(ctx.db, e);
      recordAudit(ctx.db, { action: 'remove', objectClass: rt.auditClass, objectId: e.id, objectName: rt.objectName(e), userId: user.id, organizationId: user.organizationId, data: diff(rt.auditView(e), null) }, at);
    }
  })();
}

interface Planned<E> {
  entity: E;
  before: Record<string, unknown> | null;
  isNew: boolean;
  requestId: string | null;
  pointer: string;
}

function write<E extends BaseEntity>(req: Request, ctx: CrmContext, rt: ResourceType<E>, user: CrmUser, mode: 'post' | 'patch' | 'batch', mayDefer = true): Response {
  const badType = checkContentType(req);
  if (badType) return badType;
  if (mode === 'batch' && String(req.headers['x-mode'] ?? '').toLowerCase() !== 'sync') {
    // Only the synchronous batch is emulated (README): the async one needs a message queue.
    return errorOf(400, 'request data constraint', 'The emulator supports only the synchronous batch API; send "X-Mode: sync".');
  }
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.response;
  const doc = parsed.body as { data?: unknown; included?: unknown };
  if (typeof doc !== 'object' || doc === null || doc.data === undefined || doc.data === null) {
    return errorOf(400, 'request data constraint', 'The request data should not be empty.', { pointer: '/data' });
  }
  const problems = new Problems();
  const includedRaw = doc.included === undefined ? [] : doc.included;
  if (!Array.isArray(includedRaw)) return errorOf(400, 'request data constraint', 'The "included" property should be an array.', { pointer: '/included' });

  let items: Array<{ item: ResourceObject; pointer: string }>;
  if (mode === 'batch') {
    if (!Array.isArray(doc.data)) return errorOf(400, 'request data constraint', 'The "data" property should be an array.', { pointer: '/data' });
    if (doc.data.length === 0) return errorOf(400, 'request data constraint', 'The request data should not be empty.', { pointer: '/data' });
    if (doc.data.length > SYNC_BATCH_LIMIT || includedRaw.length > SYNC_BATCH_INCLUDED_LIMIT) {
      return errorOf(400, 'request data constraint', 'The data limit for the synchronous operation exceeded.');
    }
    const deferred = mayDefer ? deferBatch(ctx, req, rt.type, doc as { data: unknown[] }, user) : null;
    if (deferred) return deferred;
    items = doc.data.map((item, i) => ({ item: item as ResourceObject, pointer: `/data/${i}` }));
  } else {
    if (typeof doc.data !== 'object' || Array.isArray(doc.data)) return errorOf(400, 'request data constraint', 'The "data" property should be an object.', { pointer: '/data' });
    items = [{ item: doc.data as ResourceObject, pointer: '/data' }];
  }
  const pool = new IncludedPool(includedRaw, problems);
  const now = oroDateTime(ctx.now());
  const planned: Array<Planned<E>> = [];

  for (const { item, pointer } of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.add(400, 'request data constraint', 'The primary data object should be an object.', pointer);
      continue;
    }
    if (item.relationships !== undefined && !isPlainObject(item.relationships)) {
      problems.add(400, 'request data constraint', 'The "relationships" property should be an object.', `${pointer}/relationships`);
      continue;
    }
    if (item.type !== rt.type) {
      problems.add(409, 'conflict constraint', `The "type" property of the primary data object should be "${rt.type}".`, `${pointer}/type`);
      continue;
    }
    const requestId = item.id === undefined || item.id === null ? null : String(item.id);
    const meta = (item.meta ?? {}) as Record<string, unknown>;
    let existing: E | null = null;
    let isNew: boolean;
    if (mode === 'post') isNew = true;
    else if (mode === 'patch') {
      if (requestId !== req.params.id) {
        problems.add(409, 'conflict constraint', "The 'id' property of the primary data object should match 'id' parameter of the query string.", `${pointer}/id`);
        continue;
      }
      existing = rt.load(ctx.db, parseId(requestId));
      if (!existing) return notFoundEntity();
      isNew = false;
    } else if (meta.update === true || meta.upsert !== undefined) {
      if (meta.upsert !== undefined && meta.upsert !== true && !Array.isArray(meta.upsert)) {
        problems.add(400, 'request data constraint', 'The "upsert" meta must be true or an array of field names.', `${pointer}/meta/upsert`);
        continue;
      }
      if (Array.isArray(meta.upsert)) {
        existing = findByFields(ctx.db, rt, item, meta.upsert as unknown[], pointer, problems);
        isNew = existing === null;
      } else {
        if (requestId === null) {
          problems.add(400, 'request data constraint', 'The identifier of an entity to update should be specified.', `${pointer}/id`);
          continue;
        }
        existing = rt.load(ctx.db, parseId(requestId));
        if (!existing && meta.update === true) {
          // The item itself, not its id (ApiBundle Tests/Functional/RestJsonApiUpdateList*: `/data/0`).
          problems.add(404, 'not found http exception', 'An entity with the requested identifier does not exist.', pointer);
          continue;
        }
        isNew = existing === null;
      }
    } else isNew = true;

    const entity = existing ? rt.clone(existing) : rt.blank(user, now);
    const w: WriteContext = { db: ctx.db, user, now, problems, pointer, included: pool, isNew, requestId };
    rt.apply(entity, item, w);
    rt.validate(entity, w);
    planned.push({ entity, before: existing ? rt.auditView(existing) : null, isNew, requestId, pointer });
  }
  for (const index of pool.unused()) {
    problems.add(400, 'request data constraint', 'The entity should have a relationship with at least one primary entity and this should be explicitly specified in the request.', `/included/${index}`);
  }
  if (rt.conflict) {
    planned.forEach((p, i) => {
      const c = rt.conflict!(ctx.db, p.entity, planned.slice(0, i).map((x) => x.entity), p.pointer);
      if (c) problems.errors.push(c);
    });
  }
  if (problems.errors.length) return errorResponse(sortByStatus(problems.errors));

  // Atomic: all of it is stored, or nothing (oro-api.md §4, sync batch).
  const at = ctx.now();
  ctx.db.transaction(() => {
    for (const p of planned) {
      if (p.isNew) p.entity.createdAt = now;
      p.entity.updatedAt = now;
      p.entity.id = rt.save(ctx.db, p.entity, p.isNew);
      recordAudit(
        ctx.db,
        { action: p.isNew ? 'create' : 'update', objectClass: rt.auditClass, objectId: p.entity.id, objectName: rt.objectName(p.entity), userId: user.id, organizationId: user.organizationId, data: diff(p.before, rt.auditView(p.entity)) },
        at,
      );
    }
  })();

  const hateoas = !String(req.headers['x-include'] ?? '').includes('noHateoas');
  const o: SerializeOptions = { hateoas, base: ctx.baseUrl() };
  const included = planned.flatMap((p) => rt.writtenIncluded?.(p.entity, o) ?? []);
  if (mode === 'batch') {
    const data = planned.map((p) => ({ ...rt.serialize(p.entity, o), meta: { dataId: p.requestId ?? String(p.entity.id) } }));
    return jsonApi(200, included.length ? { data, included } : { data });
  }
  const body: Record<string, unknown> = { data: rt.serialize(planned[0].entity, o) };
  if (included.length) body.included = included;
  if (mode === 'post') return jsonApi(201, body, { Location: `${ctx.baseUrl()}/api/${rt.type}/${planned[0].entity.id}` });
  return jsonApi(200, body);
}

/** Oro reports validation first; a 409 or 404 status leads only when nothing else is wrong. */
function sortByStatus(errors: ErrorObject[]): ErrorObject[] {
  const rank = (e: ErrorObject) => (e.status === '400' ? 0 : 1);
  return [...errors].sort((a, b) => rank(a) - rank(b));
}

/** `meta.upsert: ["externalId"]`: find the entity whose named attributes equal the item's. */
function findByFields<E extends BaseEntity>(db: Database.Database, rt: ResourceType<E>, item: ResourceObject, names: unknown[], pointer: string, problems: Problems): E | null {
  const attrs = item.attributes ?? {};
  const wanted: Array<[string, unknown]> = [];
  for (const n of names) {
    if (typeof n !== 'string' || !(n in rt.filters) || attrs[n] === undefined || attrs[n] === null) {
      problems.errors.push(problem(400, 'value constraint', `The upsert operation cannot use the "${String(n)}" field.`, { pointer: `${pointer}/meta/upsert` }));
      return null;
    }
    wanted.push([n, attrs[n]]);
  }
  return rt.all(db).find((e) => wanted.every(([n, v]) => rt.filters[n].get(e) === v)) ?? null;
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
