// The small OData subset the emulator understands: $filter (eq/ne, and/or, parentheses and any() over
// singleValueExtendedProperties), $expand with a nested $filter, and extended-property ids (graph-api.md §6).
import { badRequest } from './errors';
import type { ExtendedProperty } from './store';

export type FilterExpr =
  | { t: 'cmp'; path: string[]; op: 'eq' | 'ne'; value: string | number | boolean | null }
  | { t: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { t: 'any'; path: string[]; variable: string; body: FilterExpr };

type Token = { k: 'str'; v: string } | { k: 'num'; v: number } | { k: 'word'; v: string } | { k: 'sym'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw invalidFilter('unterminated string literal');
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ k: 'str', v: s });
    } else if ('()/:,'.includes(c)) {
      out.push({ k: 'sym', v: c });
      i++;
    } else if (/[-\d]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw invalidFilter(`unexpected '${c}'`);
      out.push({ k: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_$@]/.test(c)) {
      const m = /^[A-Za-z_$@][\w.@]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ k: 'word', v: m[0] });
      i += m[0].length;
    } else throw invalidFilter(`unexpected '${c}'`);
  }
  return out;
}

const invalidFilter = (why: string) => badRequest(`Invalid filter clause: ${why}`, 'ErrorInvalidUrlQueryFilter');

export function parseFilter(src: string): FilterExpr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (w: string) => peek()?.k === 'word' && String(peek().v).toLowerCase() === w;
  const isSym = (s: string) => peek()?.k === 'sym' && peek().v === s;
  const expectSym = (s: string) => {
    if (!isSym(s)) throw invalidFilter(`expected '${s}'`);
    pos++;
  };

  function parseOr(): FilterExpr {
    let left = parseAnd();
    while (isWord('or')) {
      pos++;
      left = { t: 'or', left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): FilterExpr {
    let left = parsePrimary();
    while (isWord('and')) {
      pos++;
      left = { t: 'and', left, right: parsePrimary() };
    }
    return left;
  }
  function parsePath(): string[] {
    const first = peek();
    if (first?.k !== 'word') throw invalidFilter('expected a property');
    pos++;
    const path = [first.v];
    while (isSym('/')) {
      pos++;
      const next = peek();
      if (next?.k !== 'word') throw invalidFilter('expected a property after /');
      pos++;
      path.push(next.v);
    }
    return path;
  }
  function parsePrimary(): FilterExpr {
    if (isSym('(')) {
      pos++;
      const inner = parseOr();
      expectSym(')');
      return inner;
    }
    const path = parsePath();
    const last = path[path.length - 1].toLowerCase();
    if ((last === 'any' || last === 'all') && isSym('(')) {
      if (last === 'all') throw invalidFilter('all() is not supported');
      pos++;
      const variable = peek();
      if (variable?.k !== 'word') throw invalidFilter('expected a lambda variable');
      pos++;
      expectSym(':');
      const body = parseOr();
      expectSym(')');
      return { t: 'any', path: path.slice(0, -1), variable: variable.v, body };
    }
    const op = peek();
    if (op?.k !== 'word' || !['eq', 'ne'].includes(op.v.toLowerCase())) throw invalidFilter(`only eq and ne are supported after ${path.join('/')}`);
    pos++;
    const lit = peek();
    pos++;
    let value: string | number | boolean | null;
    if (lit?.k === 'str' || lit?.k === 'num') value = lit.v;
    else if (lit?.k === 'word' && ['true', 'false', 'null'].includes(lit.v)) value = lit.v === 'null' ? null : lit.v === 'true';
    else throw invalidFilter('expected a literal');
    return { t: 'cmp', path, op: op.v.toLowerCase() as 'eq' | 'ne', value };
  }

  const expr = parseOr();
  if (pos !== tokens.length) throw invalidFilter('unexpected text at the end');
  return expr;
}

/** Evaluates a filter against an item's Graph JSON and its extended properties. */
export function matches(expr: FilterExpr, data: Record<string, unknown>, props: ExtendedProperty[], scope: Record<string, unknown> = {}): boolean {
  switch (expr.t) {
    case 'and':
      return matches(expr.left, data, props, scope) && matches(expr.right, data, props, scope);
    case 'or':
      return matches(expr.left, data, props, scope) || matches(expr.right, data, props, scope);
    case 'any': {
      if (expr.path.length !== 1 || expr.path[0] !== 'singleValueExtendedProperties') {
        throw invalidFilter('any() is supported on singleValueExtendedProperties only');
      }
      return props.some((p) => matches(expr.body, data, props, { ...scope, [expr.variable]: p }));
    }
    case 'cmp': {
      const [head, ...rest] = expr.path;
      let actual: unknown;
      let isPropId = false;
      if (head in scope) {
        if (rest.length !== 1 || !['id', 'value'].includes(rest[0])) throw invalidFilter(`${expr.path.join('/')} is not id or value`);
        actual = (scope[head] as ExtendedProperty)[rest[0] as 'id' | 'value'];
        isPropId = rest[0] === 'id';
      } else {
        actual = data;
        for (const seg of expr.path) actual = actual && typeof actual === 'object' ? (actual as Record<string, unknown>)[seg] : undefined;
      }
      const equal = isPropId ? sameProperty(String(actual), String(expr.value)) : looselyEqual(actual, expr.value);
      return expr.op === 'eq' ? equal : !equal;
    }
  }
}

/** Exchange compares strings case-insensitively (graph-api.md §6: matching on value is case-insensitive). */
function looselyEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return (a ?? null) === (b ?? null);
}

export interface ExpandClause {
  name: string;
  filter?: FilterExpr;
}

/** Parses `$expand=a,b($filter=...)`. */
export function parseExpand(src: string): ExpandClause[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "'") inString = !inString;
    if (inString) continue;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(src.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(src.slice(start));
  return parts.map((raw) => {
    const part = raw.trim();
    const m = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(part);
    if (!m) throw badRequest(`Invalid $expand clause '${part}'.`);
    const clause: ExpandClause = { name: m[1] };
    if (m[2] !== undefined) {
      for (const option of splitOptions(m[2])) {
        const eq = option.indexOf('=');
        const key = option.slice(0, eq).trim().toLowerCase();
        if (key !== '$filter') throw badRequest(`Query option '${key}' is not supported inside $expand.`);
        clause.filter = parseFilter(option.slice(eq + 1));
      }
    }
    return clause;
  });
}

function splitOptions(src: string): string[] {
  const out: string[] = [];
  let inString = false;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === "'") inString = !inString;
    if (!inString && src[i] === ';') {
      out.push(src.slice(start, i));
      start = i + 1;
    }
  }
  out.push(src.slice(start));
  return out.filter((s) => s.trim() !== '');
}

const PROPERTY_TYPES = [
  'binary', 'applicationtime', 'boolean', 'clsid', 'currency', 'double', 'float', 'integer', 'long', 'object', 'short', 'string', 'systemtime',
];
const PROPERTY_ID = /^(\w+)\s+(?:(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})\s+(Name|Id)\s+(\S.*)|(0x[0-9a-fA-F]{1,8}))$/i;

/**
 * The comparable form of an extended-property id: the type, GUID, `Id`/`Name` keyword and hex tags compare
 * case-insensitively; a `Name` compares case-sensitively (graph-api.md §6). Null when the id is malformed.
 */
export function normalizePropertyId(id: string): string | null {
  const m = PROPERTY_ID.exec(id.trim());
  if (!m) return null;
  const type = m[1].toLowerCase();
  if (!PROPERTY_TYPES.includes(type.replace(/array$/, ''))) return null;
  if (m[5]) return `${type} ${m[5].toLowerCase()}`;
  const keyword = m[3].toLowerCase();
  return `${type} ${m[2].toLowerCase()} ${keyword} ${keyword === 'id' ? m[4].toLowerCase() : m[4]}`;
}

/**
 * MAPI tags whose type Exchange knows: a tagged id with another type is refused with 400
 * ErrorInvalidExtendedProperty, "The extended property attribute combination is invalid." (seen in
 * microsoftgraph/microsoft-graph-docs#2251). PidTagGender is PT_I2 (learn.microsoft.com
 * pidtaggender-canonical-property), i.e. `Short`; PidTagBusinessFaxNumber is PT_UNICODE, `String`.
 */
const KNOWN_TAG_TYPES: Record<string, string> = {
  '0x3a4d': 'short', // PidTagGender
  '0x3a24': 'string', // PidTagBusinessFaxNumber
  '0x3a06': 'string', // PidTagGivenName
  '0x3a11': 'string', // PidTagSurname
  '0x0037': 'string', // PidTagSubject
};

/** Throws Graph's 400 when `id` names a known MAPI tag with the wrong type. */
export function checkPropertyType(id: string): void {
  const key = normalizePropertyId(id);
  if (key === null) return;
  const [type, tag] = key.split(' ');
  if (!/^0x/.test(tag ?? '')) return;
  const known = KNOWN_TAG_TYPES[`0x${tag.slice(2).padStart(4, '0')}`];
  if (known && type !== known) throw badRequest('The extended property attribute combination is invalid.', 'ErrorInvalidExtendedProperty');
}

/** Checks every extended-property id a filter compares with (`ep/id eq '...'`, `id eq '...'` in $expand). */
export function checkFilterPropertyTypes(expr: FilterExpr): void {
  if (expr.t === 'and' || expr.t === 'or') {
    checkFilterPropertyTypes(expr.left);
    checkFilterPropertyTypes(expr.right);
  } else if (expr.t === 'any') checkFilterPropertyTypes(expr.body);
  else if (expr.t === 'cmp' && expr.path.length === 2 && expr.path[1] === 'id' && typeof expr.value === 'string') checkPropertyType(expr.value);
}

export function sameProperty(a: string, b: string): boolean {
  const na = normalizePropertyId(a);
  return na !== null && na === normalizePropertyId(b);
}
