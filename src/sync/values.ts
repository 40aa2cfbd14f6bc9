// Value helpers shared by the planner, the merge and the executor: structural equality on canonical records.
import type { CanonicalRecord, EntityType } from './records';

/** Structural equality for canonical values (strings, numbers, booleans, null, arrays, plain objects). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameValue(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!sameValue(ao[k], bo[k])) return false;
  return true;
}

/** The field names of a record (canonical records of one type share one key set). */
export function fieldsOf(...records: Array<CanonicalRecord | undefined>): string[] {
  const keys = new Set<string>();
  for (const r of records) if (r) for (const k of Object.keys(r)) keys.add(k);
  return [...keys];
}

export function sameRecord(a: CanonicalRecord, b: CanonicalRecord): boolean {
  if (a === b) return true;
  const ar = a as unknown as Record<string, unknown>;
  const br = b as unknown as Record<string, unknown>;
  for (const f in ar) if (!sameValue(ar[f], br[f])) return false;
  for (const f in br) if (!(f in ar) && !sameValue(undefined, br[f])) return false;
  return true;
}

export function fieldValue(record: CanonicalRecord, field: string): unknown {
  return (record as unknown as Record<string, unknown>)[field];
}

/** A copy of `target` with `fields` taken from `source`. */
export function withFields<R extends CanonicalRecord>(target: R, source: R, fields: ReadonlyArray<string>): R {
  const out = { ...target } as Record<string, unknown>;
  for (const f of fields) out[f] = structuredClone(fieldValue(source, f));
  return out as unknown as R;
}

/** A human name for an item in the log and the pane, e.g. "Ann Lee" or "Call Bob". */
export function describeRecord(type: EntityType, record: CanonicalRecord): string {
  const r = record as unknown as Record<string, unknown>;
  if (type === 'contact') {
    const name = [r.firstName, r.lastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
    return name || (Array.isArray(r.emails) && typeof r.emails[0] === 'string' ? r.emails[0] : '(unnamed contact)');
  }
  if (type === 'task') return String(r.subject ?? '(untitled task)');
  return String(r.title ?? '(untitled event)');
}
