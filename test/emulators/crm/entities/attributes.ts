// Attribute and relationship input rules shared by the JSON:API resources: Oro's constraint titles
// and details (oro-api.md §4), with JSON pointers into the request document.
import { problem, type ErrorObject } from '../jsonapi';
import { oroDateTime } from './schema';

export type AttrKind =
  | { kind: 'string'; max: number }
  | { kind: 'text' }
  | { kind: 'date' }
  | { kind: 'datetime' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'bool' }
  | { kind: 'list'; key: 'email' | 'phone'; max: number };

export type AttrSpec = Record<string, AttrKind>;

export interface ResourceObject {
  type: string;
  id?: string;
  attributes?: Record<string, unknown>;
  relationships?: Record<string, { data: unknown }>;
  meta?: Record<string, unknown>;
  links?: Record<string, string>;
}

export interface RelRef {
  type: string;
  id: string;
}

/** Collects validation problems of one write; the request fails if any were found. */
export class Problems {
  readonly errors: ErrorObject[] = [];
  add(status: number, title: string, detail: string, pointer: string): void {
    this.errors.push(problem(status, title, detail, { pointer }));
  }
  notBlank(pointer: string): void {
    this.add(400, 'not blank constraint', 'This value should not be blank.', pointer);
  }
  invalid(pointer: string, detail = 'This value is not valid.'): void {
    this.add(400, 'form constraint', detail, pointer);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads one attribute value; returns undefined (and records a problem) when it is unusable. */
export function readAttribute(spec: AttrKind, value: unknown, pointer: string, problems: Problems): unknown {
  if (value === null) return spec.kind === 'list' ? [] : spec.kind === 'bool' ? false : null;
  switch (spec.kind) {
    case 'string':
    case 'text':
      if (typeof value !== 'string') return problems.invalid(pointer);
      if (spec.kind === 'string' && value.length > spec.max) {
        return problems.add(400, 'length constraint', `This value is too long. It should have ${spec.max} characters or less.`, pointer);
      }
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) return problems.add(400, 'value constraint', 'The value you selected is not a valid choice.', pointer);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') return problems.invalid(pointer);
      return value;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return problems.invalid(pointer);
      return value;
    case 'datetime': {
      const normalized = typeof value === 'string' ? normalizeDateTime(value) : null;
      if (normalized === null) return problems.invalid(pointer);
      return normalized;
    }
    case 'list': {
      if (!Array.isArray(value)) return problems.invalid(pointer);
      const out: string[] = [];
      value.forEach((item, i) => {
        const v = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[spec.key] : undefined;
        if (typeof v !== 'string' || v.trim() === '') return problems.notBlank(`${pointer}/${i}/${spec.key}`);
        if (v.length > spec.max) return problems.add(400, 'length constraint', `This value is too long. It should have ${spec.max} characters or less.`, `${pointer}/${i}/${spec.key}`);
        if (spec.key === 'email' && !EMAIL.test(v)) return problems.add(400, 'email constraint', 'This value is not a valid email address.', `${pointer}/${i}/${spec.key}`);
        if (!out.includes(v)) out.push(v);
      });
      return out;
    }
  }
}

/** An input datetime (Z or offset, optional fraction) as Oro stores it: UTC, whole seconds, `Z`. */
export function normalizeDateTime(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : oroDateTime(new Date(Math.floor(ms / 1000) * 1000));
}

/** Applies `attributes` of a resource object onto `target` by spec; unknown names are extra fields. */
export function applyAttributes(
  target: Record<string, unknown>,
  input: unknown,
  spec: AttrSpec,
  readOnly: readonly string[],
  pointer: string,
  problems: Problems,
): Set<string> {
  const touched = new Set<string>();
  if (input === undefined) return touched;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.add(400, 'request data constraint', 'The "attributes" property should be an object.', `${pointer}/attributes`);
    return touched;
  }
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (readOnly.includes(name)) continue; // Oro ignores read-only fields on input.
    const s = spec[name];
    if (!s) {
      problems.add(400, 'extra fields constraint', `This form should not contain extra fields: "${name}".`, `${pointer}/attributes`);
      continue;
    }
    const before = problems.errors.length;
    const v = readAttribute(s, value, `${pointer}/attributes/${name}`, problems);
    if (problems.errors.length === before) {
      target[name] = v;
      touched.add(name);
    }
  }
  return touched;
}

/** A to-one relationship value: undefined when absent, null when cleared, the ref otherwise. */
export function readToOne(
  relationships: ResourceObject['relationships'],
  name: string,
  expectedType: string,
  pointer: string,
  problems: Problems,
): RelRef | null | undefined {
  if (!hasRelationship(relationships, name)) return undefined;
  const rel = relationships[name];
  const data = typeof rel === 'object' && rel !== null ? rel.data : undefined;
  if (data === null) return null;
  const ref = asRef(data);
  if (!ref || ref.type !== expectedType) {
    problems.add(400, 'request data constraint', `The "type" property should be "${expectedType}".`, `${pointer}/relationships/${name}/data`);
    return undefined;
  }
  return ref;
}

export function readToMany(relationships: ResourceObject['relationships'], name: string, pointer: string, problems: Problems): RelRef[] | undefined {
  if (!hasRelationship(relationships, name)) return undefined;
  const data = relationships[name]?.data;
  if (!Array.isArray(data)) {
    problems.add(400, 'request data constraint', 'The "data" property should be an array.', `${pointer}/relationships/${name}/data`);
    return undefined;
  }
  const refs: RelRef[] = [];
  data.forEach((d, i) => {
    const ref = asRef(d);
    if (!ref) problems.add(400, 'request data constraint', 'The relationship item should have "type" and "id".', `${pointer}/relationships/${name}/data/${i}`);
    else refs.push(ref);
  });
  return refs;
}

/** False for an absent name, and for a `relationships` that is no object (an included resource's is not checked elsewhere). */
function hasRelationship(relationships: unknown, name: string): relationships is Record<string, { data: unknown }> {
  return typeof relationships === 'object' && relationships !== null && name in relationships;
}

function asRef(data: unknown): RelRef | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type, id } = data as Record<string, unknown>;
  if (typeof type !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) return null;
  return { type, id: String(id) };
}
