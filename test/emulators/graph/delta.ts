// Delta query (graph-api.md §2, §4, §5). A deltatoken means "changes in this collection after seq N";
// a skiptoken is a cursor inside one round's snapshot (seq ≤ the round's upper bound), so writes made
// during a round land in the next one. Tokens are opaque base64url JSON carrying the query options
// and, for calendarView, the window. Expired or reset tokens answer 410 in either documented form.
import type { Response } from '../common/http';
import type { GraphContext, GraphRequest } from './context';
import { badRequest, errorBody, GraphError } from './errors';
import { present } from './items';
import { encodePath } from './paths';
import { parseExpand } from './odata';
import type { ItemKind, StoredItem } from './store';

/**
 * How a dropped sync state is answered: 410 `SyncStateNotFound`, 410 with a `Location` (resyncRequired),
 * 400 `SyncStateInvalid`, or 400 whose top-level code is generic and whose `innerError` carries
 * `syncStateInvalid` (Graph's error object nests more specific codes there, learn.microsoft.com/graph/errors).
 */
export type ExpiryMode = 'syncStateNotFound' | 'location' | 'syncStateInvalid' | 'innerError';
export const EXPIRY_MODES: ExpiryMode[] = ['syncStateNotFound', 'location', 'syncStateInvalid', 'innerError'];

export interface DeltaWindow {
  start: string;
  end: string;
}

interface TokenState {
  /** Mailbox, kind and container the token belongs to. */
  m: string;
  k: ItemKind;
  p: string;
  w?: DeltaWindow;
  /** Round: changes after seq `f` up to seq `u`; `c` is the cursor for the next page. */
  f: number;
  u: number;
  c: number;
  /** Initial round: current items only, no tombstones. */
  i: boolean;
  /** Ids to re-send on the next page (deltaReplayRate). */
  r?: string[];
  /** $select / $expand of the initial request; tokens carry their query options. */
  s?: string;
  x?: string;
  /** Serial, generation, issue time (ms). */
  n: number;
  g: number;
  t: number;
}

export interface DeltaCollection {
  kind: ItemKind;
  parent: string;
  /** calendarView: the window from the query (initial request) and the in-window test. */
  windowFromQuery?: (req: GraphRequest) => DeltaWindow;
  inWindow?: (item: StoredItem, window: DeltaWindow) => boolean;
  /** `$expand` values allowed on this delta (none for contacts and events). */
  allowedExpand: string[];
  expandError: string;
  odataType: string;
  context: string;
  withLinkedResources?: boolean;
  /** calendarView: a series master is reported as these items (its occurrences in the window), not itself. */
  seriesOccurrences?: (item: StoredItem, window: DeltaWindow) => StoredItem[] | null;
  /** The fields an occurrence is reported with (besides id and etag). */
  occurrenceFields?: string[];
  /** Rounds after the first: the fields an item is sent with (besides id and etag), or null for all. */
  partialFields?: (item: StoredItem, roundFrom: number) => string[] | null;
}

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 1000;

/** Token bookkeeping shared by every delta collection of one emulator. */
export class DeltaTokens {
  maxAgeSeconds: number | null = null;
  knobExpiryMode: ExpiryMode = 'syncStateNotFound';
  private knobWasOn = false;
  private knobEpoch = 0;
  private expiredOnce = new Set<number>();

  constructor(private readonly ctx: GraphContext) {}

  /** Every token issued so far answers 410 in `mode` from now on. */
  reset(mode: ExpiryMode): void {
    const store = this.ctx.store;
    store.transaction(() => {
      store.next('deltaGeneration');
      store.setMeta('deltaResetMode', mode);
    });
  }

  issue(state: Omit<TokenState, 'n' | 'g' | 't'>): string {
    const store = this.ctx.store;
    const full: TokenState = { ...state, n: store.next('deltaSerial'), g: store.current('deltaGeneration'), t: this.ctx.now().getTime() };
    return Buffer.from(JSON.stringify(full)).toString('base64url');
  }

  decode(token: string): TokenState {
    try {
      const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenState;
      if (typeof state.n !== 'number' || typeof state.f !== 'number' || typeof state.m !== 'string') throw new Error('shape');
      return state;
    } catch {
      throw badRequest('The sync state data is not valid.', 'ErrorInvalidSyncStateData');
    }
  }

  /** The reason a token must answer 410, or null when it is still good. */
  expiry(state: TokenState): ExpiryMode | null {
    const store = this.ctx.store;
    const on = this.ctx.faults.knobs().expireDeltaTokens;
    if (on && !this.knobWasOn) this.knobEpoch = store.current('deltaSerial');
    this.knobWasOn = on;
    if (state.g < store.current('deltaGeneration')) return (store.getMeta('deltaResetMode') as ExpiryMode | null) ?? 'syncStateNotFound';
    if (on && state.n <= this.knobEpoch && !this.expiredOnce.has(state.n)) {
      this.expiredOnce.add(state.n);
      return this.knobExpiryMode;
    }
    if (this.maxAgeSeconds !== null && this.ctx.now().getTime() - state.t > this.maxAgeSeconds * 1000) return 'syncStateNotFound';
    return null;
  }

  /** Notes the knob's state when no token was presented, so that the epoch is right for later tokens. */
  observeKnob(): void {
    const on = this.ctx.faults.knobs().expireDeltaTokens;
    if (on && !this.knobWasOn) this.knobEpoch = this.ctx.store.current('deltaSerial');
    this.knobWasOn = on;
  }
}

export function deltaResponse(ctx: GraphContext, tokens: DeltaTokens, req: GraphRequest, coll: DeltaCollection): Response {
  const q = req.url.searchParams;
  for (const unsupported of ['$filter', '$orderby', '$search']) {
    if (q.has(unsupported)) throw badRequest(`The query parameter '${unsupported}' is not supported with change tracking.`, 'ErrorInvalidUrlQuery');
  }
  const skipToken = q.get('$skiptoken');
  const deltaToken = q.get('$deltatoken') ?? q.get('$deltaToken');
  const pageSize = maxPageSize(req);

  let state: Omit<TokenState, 'n' | 'g' | 't'>;
  const presented = skipToken ?? (deltaToken ? deltaToken : null);
  if (presented !== null) {
    const decoded = tokens.decode(presented);
    if (decoded.m !== req.mailbox.id || decoded.k !== coll.kind || decoded.p !== coll.parent) {
      throw badRequest('The sync state does not belong to this collection.', 'ErrorInvalidSyncStateData');
    }
    const expired = tokens.expiry(decoded);
    if (expired) return goneResponse(ctx, req, coll, decoded.w, expired);
    const { n: _n, g: _g, t: _t, ...rest } = decoded;
    state = skipToken ? rest : { ...rest, f: decoded.f, u: ctx.store.current('seq'), c: decoded.f, i: false, r: undefined };
  } else {
    tokens.observeKnob();
    checkExpand(q.get('$expand'), coll);
    state = {
      m: req.mailbox.id,
      k: coll.kind,
      p: coll.parent,
      w: coll.windowFromQuery?.(req),
      f: 0,
      u: ctx.store.current('seq'),
      c: 0,
      i: true,
      s: q.get('$select') ?? undefined,
      x: q.get('$expand') ?? undefined,
    };
  }

  const select = state.s?.split(',').map((s) => s.trim());
  const expand = state.x ? parseExpand(state.x) : undefined;
  const render = (item: StoredItem): Record<string, unknown> => {
    const live = !item.deleted && item.parent === coll.parent && (!state.w || !coll.inWindow || coll.inWindow(item, state.w));
    if (!live) return { '@odata.type': coll.odataType, id: item.id, '@removed': { reason: 'deleted' } };
    const body = present(item, { select, expand, withLinkedResources: false });
    const fields = !state.i && coll.partialFields ? coll.partialFields(item, state.f) : null;
    if (fields) {
      const keep = new Set(['@odata.etag', 'id', ...fields, ...(expand ?? []).map((e) => e.name)]);
      return { '@odata.type': coll.odataType, ...Object.fromEntries(Object.entries(body).filter(([k]) => keep.has(k))) };
    }
    return { '@odata.type': coll.odataType, ...body };
  };

  const rng = () => ctx.faults.random();
  const knobs = ctx.faults.knobs();
  const value: Record<string, unknown>[] = [];
  const replayNext: string[] = [];

  // Items replayed from an earlier page of this round come first, in their current state.
  const pending = [...(state.r ?? [])];
  while (pending.length && value.length < pageSize) {
    const item = ctx.store.get(pending.shift() as string);
    if (item) value.push(render(item));
  }

  let cursor = state.c;
  let exhausted = false;
  while (value.length < pageSize && !exhausted) {
    const batch = ctx.store.changes(req.mailbox.id, coll.kind, coll.parent, cursor, state.u, pageSize - value.length);
    if (batch.length < pageSize - value.length) exhausted = true;
    for (const item of batch) {
      cursor = item.seq;
      const inside = !state.w || !coll.inWindow || coll.inWindow(item, state.w);
      // The initial round returns current items only (graph-api.md §4).
      if (state.i && (item.deleted || !inside)) continue;
      const occurrences = !item.deleted && state.w && coll.seriesOccurrences ? coll.seriesOccurrences(item, state.w) : null;
      if (occurrences) {
        const keep = new Set(['@odata.etag', 'id', ...(coll.occurrenceFields ?? [])]);
        for (const o of occurrences) value.push({ '@odata.type': coll.odataType, ...Object.fromEntries(Object.entries(present(o)).filter(([k]) => keep.has(k))) });
        continue;
      }
      value.push(render(item));
      if (knobs.deltaReplayRate > 0 && rng() < knobs.deltaReplayRate) replayNext.push(item.id);
    }
  }
  if (!exhausted) exhausted = ctx.store.changes(req.mailbox.id, coll.kind, coll.parent, cursor, state.u, 1).length === 0;

  if (knobs.deltaDuplicateRate > 0) {
    const copies = value.filter(() => rng() < knobs.deltaDuplicateRate);
    value.push(...copies.map((v) => ({ ...v })));
  }

  const replays = [...pending, ...replayNext];
  const body: Record<string, unknown> = { '@odata.context': `${ctx.baseUrl()}/v1.0/$metadata#${coll.context}` };
  // Links keep `$` literal, as Graph's do; base64url tokens need no escaping.
  const link = `${ctx.baseUrl()}${encodePath(req.path)}`;
  if (!exhausted || replays.length > 0) {
    body['@odata.nextLink'] = `${link}?$skiptoken=${tokens.issue({ ...state, c: cursor, r: replays.length ? replays : undefined })}`;
  } else {
    body['@odata.deltaLink'] = `${link}?$deltatoken=${tokens.issue({ ...state, f: state.u, c: state.u, i: false, r: undefined })}`;
  }
  body.value = value;
  const headers: Record<string, string> = {};
  if (preferredPageSize(req) !== null) headers['Preference-Applied'] = `odata.maxpagesize=${pageSize}`;
  return { status: 200, headers, body };
}

function checkExpand(raw: string | null, coll: DeltaCollection): void {
  if (raw === null) return;
  const names = parseExpand(raw).map((c) => c.name);
  if (names.some((n) => !coll.allowedExpand.includes(n))) throw new GraphError(400, 'ErrorInvalidUrlQuery', coll.expandError);
}

function preferredPageSize(req: GraphRequest): number | null {
  const prefer = req.headers.prefer;
  const text = Array.isArray(prefer) ? prefer.join(',') : prefer ?? '';
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(text);
  return m ? Math.max(1, Math.min(MAX_PAGE_SIZE, Number(m[1]))) : null;
}

function maxPageSize(req: GraphRequest): number {
  return preferredPageSize(req) ?? DEFAULT_PAGE_SIZE;
}

/** 410 Gone: `SyncStateNotFound` (issue #2350's wire sample) or a Location to restart from (delta-query-overview). */
function goneResponse(ctx: GraphContext, req: GraphRequest, coll: DeltaCollection, window: DeltaWindow | undefined, mode: ExpiryMode): Response {
  if (mode === 'location') {
    const query = window ? `startDateTime=${encodeURIComponent(window.start)}&endDateTime=${encodeURIComponent(window.end)}&` : '';
    const restart = `${ctx.baseUrl()}${encodePath(req.path)}?${query}$deltatoken=`;
    return {
      status: 410,
      headers: { Location: restart, 'Content-Type': 'application/json' },
      body: errorBody('resyncRequired', 'The sync state was reset. Restart the synchronization from the Location URL.'),
    };
  }
  if (mode === 'syncStateInvalid') {
    return { status: 400, headers: { 'Content-Type': 'application/json' }, body: errorBody('SyncStateInvalid', 'The sync state is invalid. Restart the synchronization.') };
  }
  if (mode === 'innerError') {
    const body = errorBody('BadRequest', 'The request could not be completed.') as { error: { innerError: Record<string, unknown> } };
    body.error.innerError = { code: 'syncStateInvalid', message: 'The sync state is invalid.', ...body.error.innerError };
    return { status: 400, headers: { 'Content-Type': 'application/json' }, body };
  }
  const highest = ctx.store.current('deltaSerial');
  return {
    status: 410,
    headers: { 'Content-Type': 'application/json' },
    body: errorBody('SyncStateNotFound', `The sync state generation is not found; generation=${Math.max(0, highest - 1)};[highest=${highest}]`),
  };
}
