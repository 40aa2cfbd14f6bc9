// Shared item plumbing: presenting stored items as Graph JSON ($select, $expand of extended properties),
// listing with $filter/$top/$skip paging, and merging extended properties on writes (graph-api.md §6).
import type { Response } from '../common/http';
import type { GraphContext, GraphRequest } from './context';
import { badRequest, itemNotFound } from './errors';
import { encodePath } from './paths';
import { checkFilterPropertyTypes, checkPropertyType, matches, normalizePropertyId, parseExpand, parseFilter, type ExpandClause, type FilterExpr } from './odata';
import type { ExtendedProperty, ItemKind, StoredItem } from './store';

export interface PresentOptions {
  expand?: ExpandClause[];
  select?: string[];
  /** Include linkedResources on a task (create/PATCH echo, or $expand). */
  withLinkedResources?: boolean;
}

const ODATA_TYPES: Record<ItemKind, string> = {
  contactFolder: '#microsoft.graph.contactFolder',
  contact: '#microsoft.graph.contact',
  calendar: '#microsoft.graph.calendar',
  event: '#microsoft.graph.event',
  todoList: '#microsoft.graph.todoTaskList',
  task: '#microsoft.graph.todoTask',
};

export function odataType(kind: ItemKind): string {
  return ODATA_TYPES[kind];
}

/** The Graph JSON of an item. Extended properties appear only when expanded (graph-api.md §6). */
export function present(item: StoredItem, options: PresentOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { changeKey, linkedResources, ...fields } = item.data as Record<string, unknown> & { changeKey?: string; linkedResources?: unknown };
  if (typeof changeKey === 'string' && ['contact', 'event', 'task', 'calendar'].includes(item.kind)) out['@odata.etag'] = `W/"${changeKey}"`;
  out.id = item.id;
  const all = { ...fields };
  if (item.kind !== 'task' && changeKey !== undefined) all.changeKey = changeKey;
  const select = options.select;
  for (const [k, v] of Object.entries(all)) {
    if (k === 'id' || k.startsWith('@')) continue; // '@…': the emulator's own bookkeeping
    if (select && !select.includes(k)) continue;
    out[k] = v;
  }
  if (item.kind === 'task' && (options.withLinkedResources || options.expand?.some((e) => e.name === 'linkedResources'))) {
    out.linkedResources = linkedResources ?? [];
  }
  const ext = options.expand?.find((e) => e.name === 'singleValueExtendedProperties');
  if (ext) {
    const props = item.props.filter((p) => !ext.filter || matches(ext.filter, {}, [], { id: p.id, value: p.value, ...propScope(p) }));
    out['singleValueExtendedProperties@odata.context'] = `$metadata#singleValueExtendedProperties`;
    out.singleValueExtendedProperties = props.map((p) => ({ id: p.id, value: p.value }));
  }
  return out;
}

// `$filter=id eq '...'` inside $expand addresses the property itself, so it is evaluated with a
// one-element scope whose "variable" is the property (see odata.matches).
function propScope(p: ExtendedProperty): Record<string, unknown> {
  return { $it: p };
}

/** Parses $expand and checks it against what the resource supports. */
export function expandOption(req: GraphRequest, allowed: string[]): ExpandClause[] | undefined {
  const raw = req.url.searchParams.get('$expand');
  if (raw === null) return undefined;
  const clauses = parseExpand(raw);
  for (const c of clauses) {
    if (!allowed.includes(c.name)) throw badRequest(`Parsing OData Select and Expand failed: Could not find a property named '${c.name}' on type.`);
    if (c.filter) {
      checkExpandFilter(c.filter);
      checkFilterPropertyTypes(c.filter);
    }
  }
  return clauses;
}

// Inside $expand the filter reads `id eq '...'`: rewrite bare `id`/`value` to the property under test.
function checkExpandFilter(f: FilterExpr): void {
  if (f.t === 'and' || f.t === 'or') {
    checkExpandFilter(f.left);
    checkExpandFilter(f.right);
  } else if (f.t === 'cmp') {
    if (f.path.length === 1 && (f.path[0] === 'id' || f.path[0] === 'value')) f.path = ['$it', f.path[0]];
    else throw badRequest(`Only id and value can be filtered inside $expand=singleValueExtendedProperties.`, 'ErrorInvalidUrlQueryFilter');
  } else throw badRequest('any() is not supported inside $expand.', 'ErrorInvalidUrlQueryFilter');
}

export function selectOption(req: GraphRequest): string[] | undefined {
  const raw = req.url.searchParams.get('$select');
  return raw === null ? undefined : raw.split(',').map((s) => s.trim()).filter(Boolean);
}

export function topOption(req: GraphRequest, fallback: number): number {
  const raw = req.url.searchParams.get('$top');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badRequest(`Invalid value '${raw}' for $top query option.`, 'ErrorInvalidUrlQuery');
  return Math.min(n, 1000);
}

/** A paged collection answer: `$top`/`$skip`, with @odata.nextLink repeating the other query options. */
export function listResponse(
  ctx: GraphContext,
  req: GraphRequest,
  items: StoredItem[],
  options: { expand?: ExpandClause[]; filterable: boolean; defaultTop: number; context: string },
): Response {
  const filterRaw = req.url.searchParams.get('$filter');
  let selected = items;
  if (filterRaw !== null) {
    if (!options.filterable) throw badRequest('$filter is not supported on this collection.', 'ErrorInvalidUrlQueryFilter');
    const filter = parseFilter(filterRaw);
    checkFilterPropertyTypes(filter);
    selected = items.filter((i) => matches(filter, { id: i.id, ...i.data }, i.props));
  }
  const top = topOption(req, options.defaultTop);
  const skipRaw = req.url.searchParams.get('$skip') ?? '0';
  const skip = Number(skipRaw);
  if (!Number.isInteger(skip) || skip < 0) throw badRequest(`Invalid value '${skipRaw}' for $skip query option.`, 'ErrorInvalidUrlQuery');
  const page = selected.slice(skip, skip + top);
  const select = selectOption(req);
  const body: Record<string, unknown> = {
    '@odata.context': `${ctx.baseUrl()}/v1.0/$metadata#${options.context}`,
    value: page.map((i) => present(i, { expand: options.expand, select })),
  };
  if (skip + top < selected.length) {
    const query: string[] = [];
    req.url.searchParams.forEach((v, k) => {
      if (k !== '$skip' && k !== '$top') query.push(`${k}=${encodeURIComponent(v)}`);
    });
    query.push(`$top=${top}`, `$skip=${skip + top}`);
    body['@odata.nextLink'] = `${ctx.baseUrl()}${encodePath(req.path)}?${query.join('&')}`;
  }
  return { status: 200, body };
}

/** Sets or replaces extended properties by id (GUID/type case-insensitive, Name case-sensitive). */
export function mergeProperties(existing: ExtendedProperty[], incoming: ExtendedProperty[] | undefined): ExtendedProperty[] {
  if (!incoming) return existing;
  const out = [...existing];
  for (const p of incoming) {
    const key = normalizePropertyId(p.id);
    if (key === null) throw badRequest(`The extended property id '${p.id}' is not valid.`, 'ErrorInvalidProperty');
    checkPropertyType(p.id);
    const at = out.findIndex((q) => normalizePropertyId(q.id) === key);
    if (at >= 0) out[at] = { id: out[at].id, value: p.value };
    else out.push({ id: p.id, value: p.value });
  }
  return out;
}

/** Loads a live item of the mailbox, optionally required to sit in `parent`. */
export function loadItem(ctx: GraphContext, req: GraphRequest, kind: ItemKind, id: string, parent?: string): StoredItem {
  const item = ctx.store.get(id);
  if (!item || item.deleted || item.kind !== kind || item.mailbox !== req.mailbox.id) throw itemNotFound();
  if (parent !== undefined && item.parent !== parent) throw itemNotFound();
  return item;
}
