// JSON:API list queries as Oro reads them (oro-api.md §4): filters with operators, comma lists (OR),
// inclusive ranges `a..b`, sort, page, sparse fields, include and the X-Include header.
import type { Request } from '../../common/http';
import { problem, type ErrorObject } from '../jsonapi';

/** A bad request found while reading it; the route turns it into Oro's error document. */
export class OroProblems extends Error {
  constructor(readonly errors: ErrorObject[]) {
    super(errors.map((e) => e.detail).join(' '));
  }
}

export const fail = (status: number, title: string, detail: string, source?: ErrorObject['source']): never => {
  throw new OroProblems([problem(status, title, detail, source)]);
};

export type Operator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'exists' | 'neq_or_null';
const OPERATORS: ReadonlySet<string> = new Set(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'exists', 'neq_or_null', 'contains', 'not_contains', 'starts_with', 'not_starts_with', 'ends_with', 'not_ends_with']);
const INLINE: Record<string, Operator> = { '!': 'neq', '<': 'lte', '>': 'gte' };

export type FilterKind = 'integer' | 'string' | 'datetime' | 'date';

/** A value a filter compares: numbers for integer/datetime/date (epoch seconds), strings otherwise. */
export type Scalar = number | string;

export interface FilterDef<E> {
  kind: FilterKind;
  /** One value, or several for collection fields such as `emails`. */
  get(entity: E): Scalar | null | Scalar[];
  /** Operators besides the type defaults (oro-api.md §4: text operators must be turned on per field). */
  operators?: Operator[];
}

export interface FilterClause {
  field: string;
  op: Operator;
  /** OR-ed values; a range is `{from,to}`. */
  values: Array<Scalar | { from: Scalar; to: Scalar }>;
  exists?: boolean;
  parameter: string;
}

export interface ListQuery {
  filters: FilterClause[];
  sort: Array<{ field: string; desc: boolean }>;
  pageSize: number;
  pageNumber: number;
  fields: Record<string, Set<string>>;
  include: string[];
  totalCount: boolean;
  hateoas: boolean;
}

const DEFAULT_OPS: Record<FilterKind, Operator[]> = {
  integer: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'exists', 'neq_or_null'],
  datetime: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'exists', 'neq_or_null'],
  date: ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'exists', 'neq_or_null'],
  string: ['eq', 'neq', 'exists', 'neq_or_null'],
};

/** The X-Include keys, separated by `;` (oro-api.md §4). */
export function xInclude(req: Request): Set<string> {
  const raw = req.headers['x-include'];
  const text = Array.isArray(raw) ? raw.join(';') : raw ?? '';
  return new Set(text.split(';').map((s) => s.trim()).filter(Boolean));
}

export function parseValue(kind: FilterKind, text: string, parameter: string): Scalar {
  const bad = (expected: string) => fail(400, 'unexpected value exception', `Expected ${expected} value. Given "${text}".`, { parameter });
  switch (kind) {
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : bad('integer');
    case 'string':
      return text;
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ? Date.parse(`${text}T00:00:00Z`) / 1000 : bad('date');
    case 'datetime': {
      // Oro accepts a full datetime with Z or an offset, or a plain date (midnight UTC).
      const m = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
      if (!m) return bad('datetime');
      const normalized = m[1] && !m[4] ? `${text}Z` : m[1] ? text : `${text}T00:00:00Z`;
      const ms = Date.parse(normalized);
      return Number.isNaN(ms) ? bad('datetime') : Math.floor(ms / 1000);
    }
  }
}

export function parseListQuery<E>(req: Request, type: string, defs: { filters: Record<string, FilterDef<E>>; sorters: Record<string, unknown>; includes: readonly string[] }): ListQuery {
  const errors: ErrorObject[] = [];
  const q: ListQuery = { filters: [], sort: [{ field: 'id', desc: false }], pageSize: 10, pageNumber: 1, fields: {}, include: [], totalCount: false, hateoas: true };
  const x = xInclude(req);
  q.totalCount = x.has('totalCount');
  q.hateoas = !x.has('noHateoas');

  for (const [key, value] of req.url.searchParams) {
    try {
      readParam(key, value);
    } catch (e) {
      if (e instanceof OroProblems) errors.push(...e.errors);
      else throw e;
    }
  }
  if (errors.length) throw new OroProblems(errors);
  return q;

  function readParam(key: string, value: string): void {
    const filter = /^filter\[([^\]]+)\](?:\[([a-z_]+)\])?([!<>]?)$/.exec(key);
    if (filter) return readFilter(filter[1], filter[2], filter[3], value, key);
    const inline = /^filter\[([^\]]+)\]([<>])(.+)$/.exec(key);
    // `filter[id]>5` arrives as a key without `=`.
    if (inline && value === '') return readFilter(inline[1], undefined, inline[2] === '>' ? 'gt!' : 'lt!', inline[3], key);
    if (key === 'page[size]') {
      if (!/^-?\d+$/.test(value) || (Number(value) < 1 && Number(value) !== -1)) fail(400, 'unexpected value exception', `Expected integer value. Given "${value}".`, { parameter: key });
      q.pageSize = Number(value);
      return;
    }
    if (key === 'page[number]') {
      if (!/^\d+$/.test(value) || Number(value) < 1) fail(400, 'unexpected value exception', `Expected integer value. Given "${value}".`, { parameter: key });
      q.pageNumber = Number(value);
      return;
    }
    if (key === 'sort') {
      q.sort = value.split(',').filter(Boolean).map((f) => {
        const desc = f.startsWith('-');
        const field = desc ? f.slice(1) : f;
        if (!(field in defs.sorters)) fail(400, 'sort constraint', `Sorting by "${field}" field is not supported.`, { parameter: 'sort' });
        return { field, desc };
      });
      return;
    }
    const fields = /^fields\[([^\]]+)\]$/.exec(key);
    if (fields) {
      q.fields[fields[1]] = new Set(value.split(',').map((s) => s.trim()).filter(Boolean));
      return;
    }
    if (key === 'include') {
      for (const path of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!defs.includes.includes(path)) fail(400, 'filter constraint', `The relationship "${path}" is not supported by the "include" filter of "${type}".`, { parameter: 'include' });
        q.include.push(path);
      }
      return;
    }
    if (key === 'meta') return;
    fail(400, 'filter constraint', `Filter "${key}" is not supported.`, { parameter: key });
  }

  function readFilter(field: string, opName: string | undefined, suffix: string, value: string, parameter: string): void {
    const def = defs.filters[field];
    if (!def) fail(400, 'filter constraint', `Filter "filter[${field}]" is not supported.`, { parameter: `filter[${field}]` });
    let op: Operator;
    if (suffix === 'gt!') op = 'gt';
    else if (suffix === 'lt!') op = 'lt';
    else if (suffix) op = INLINE[suffix];
    else op = (opName ?? 'eq') as Operator;
    if (opName && !OPERATORS.has(opName)) fail(400, 'filter constraint', `The operator "${opName}" is not supported.`, { parameter });
    const allowed = [...DEFAULT_OPS[def.kind], ...(def.operators ?? [])];
    if (!allowed.includes(op)) fail(400, 'filter constraint', `The operator "${op}" is not supported.`, { parameter });
    if (op === 'exists') {
      const v = value.toLowerCase();
      if (!['yes', 'no', 'true', 'false', '1', '0'].includes(v)) fail(400, 'unexpected value exception', `Expected boolean value. Given "${value}".`, { parameter });
      q.filters.push({ field, op, values: [], exists: ['yes', 'true', '1'].includes(v), parameter });
      return;
    }
    const values = value.split(',').map((part) => {
      const range = def.kind !== 'string' ? /^(.+)\.\.(.+)$/.exec(part) : null;
      if (range) return { from: parseValue(def.kind, range[1], parameter), to: parseValue(def.kind, range[2], parameter) };
      return parseValue(def.kind, part, parameter);
    });
    q.filters.push({ field, op, values, parameter });
  }
}

/**
 * Whether an entity passes every filter (filters AND, comma values OR). Plain loops, no closures per
 * entity: a list filters every entity of its type, and under tsx each closure made costs a name lookup.
 */
export function matches<E>(entity: E, clauses: FilterClause[], defs: Record<string, FilterDef<E>>): boolean {
  for (const c of clauses) {
    const raw = defs[c.field].get(entity);
    const actual = Array.isArray(raw) ? raw : raw === null ? [] : [raw];
    if (c.op === 'exists') {
      if ((actual.length > 0) !== c.exists) return false;
      continue;
    }
    if (c.op === 'neq' || c.op === 'neq_or_null') {
      if (actual.length === 0 && c.op === 'neq') return false;
      for (const v of actual) if (!hitsAny(v, c)) return false;
      continue;
    }
    let any = false;
    for (const v of actual) {
      if (hitsAny(v, c)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

function hitsAny(v: Scalar, c: FilterClause): boolean {
  for (const want of c.values) if (hits(v, c.op, want)) return true;
  return false;
}

function hits(v: Scalar, op: FilterClause['op'], want: FilterClause['values'][number]): boolean {
  if (typeof want === 'object') return v >= want.from && v <= want.to;
  switch (op) {
    case 'eq':
      return v === want;
    case 'neq':
    case 'neq_or_null':
      return v !== want;
    case 'lt':
      return v < want;
    case 'lte':
      return v <= want;
    case 'gt':
      return v > want;
    case 'gte':
      return v >= want;
    default:
      return false;
  }
}

export function compareBy<E>(sort: ListQuery['sort'], sorters: Record<string, (e: E) => Scalar | null>): (a: E, b: E) => number {
  return (a, b) => {
    for (const { field, desc } of sort) {
      const va = sorters[field](a);
      const vb = sorters[field](b);
      if (va === vb) continue;
      // NULLs first on ASC, as MySQL/PostgreSQL ORDER BY ... NULLS FIRST in Oro's default setup.
      const cmp = va === null ? -1 : vb === null ? 1 : va < vb ? -1 : 1;
      return desc ? -cmp : cmp;
    }
    return 0;
  };
}
