// Field-level three-way merge (sync-design.md, "Our choices"): a field changed on one side only keeps
// that change; a field changed on both sides to different values goes to the rule's winner.
import type { ConflictRule } from './conflict-rules';
import type { CanonicalRecord, EntityType, SideName } from './records';
import { fieldsOf, fieldValue, sameValue } from './values';

export interface FieldConflict {
  field: string;
  winner: SideName;
  losingValue: unknown;
}

export interface MergeResult<R extends CanonicalRecord> {
  merged: R;
  /** Fields to write to each side so that it equals `merged`. */
  crmFields: string[];
  outlookFields: string[];
  conflicts: FieldConflict[];
}

/**
 * Fields that only make sense together: an event's start, end and all-day flag (all-day events hold
 * dates, timed ones instants). When both sides changed a unit differently, the whole unit goes to the
 * rule's winner; taking start from one side and allDay from the other would build an event neither
 * side wrote, and that neither service accepts.
 */
export const MERGE_UNITS: Readonly<Partial<Record<EntityType, ReadonlyArray<ReadonlyArray<string>>>>> = {
  // A series' rule starts on its first occurrence's date: the rule and the times are one unit too.
  event: [['start', 'end', 'allDay', 'recurrence']],
};

/**
 * `base` is undefined on a first-sync match: then every differing field is a conflict, except that an
 * empty field never wins over a filled one (a blank is missing information, not a decision, so the
 * first match fills it in rather than erasing the other side's data).
 */
export function threeWayMerge<R extends CanonicalRecord>(
  base: R | undefined,
  crm: R,
  outlook: R,
  rule: ConflictRule,
  units: ReadonlyArray<ReadonlyArray<string>> = [],
): MergeResult<R> {
  const merged: Record<string, unknown> = {};
  let conflicts: FieldConflict[] = [];
  for (const field of fieldsOf(base, crm, outlook)) {
    const c = fieldValue(crm, field);
    const o = fieldValue(outlook, field);
    const b = base === undefined ? undefined : fieldValue(base, field);
    if (sameValue(c, o)) merged[field] = c;
    else if (base === undefined && isBlank(c)) merged[field] = o;
    else if (base === undefined && isBlank(o)) merged[field] = c;
    else if (base !== undefined && sameValue(o, b)) merged[field] = c; // changed in the CRM only
    else if (base !== undefined && sameValue(c, b)) merged[field] = o; // changed in Outlook only
    else {
      const winner = rule(field, c, o, b);
      merged[field] = winner === 'crm' ? c : o;
      conflicts.push({ field, winner, losingValue: winner === 'crm' ? o : c });
    }
  }
  for (const unit of units) {
    const differs = unit.filter((f) => !sameValue(fieldValue(crm, f), fieldValue(outlook, f)));
    if (differs.length === 0) continue;
    const changedOn = (side: R) => base !== undefined && unit.some((f) => !sameValue(fieldValue(side, f), fieldValue(base, f)));
    const contested = base === undefined ? conflicts.some((c) => unit.includes(c.field)) : changedOn(crm) && changedOn(outlook);
    if (!contested) continue;
    const pick = (r: R) => Object.fromEntries(unit.map((f) => [f, fieldValue(r, f)]));
    const winner = rule(unit.join('+'), pick(crm), pick(outlook), base === undefined ? undefined : pick(base));
    const [won, lost] = winner === 'crm' ? [crm, outlook] : [outlook, crm];
    for (const f of unit) merged[f] = fieldValue(won, f);
    conflicts = conflicts.filter((c) => !unit.includes(c.field));
    for (const f of differs) conflicts.push({ field: f, winner, losingValue: fieldValue(lost, f) });
  }
  const result = merged as unknown as R;
  return {
    merged: structuredClone(result),
    crmFields: fieldsOf(result).filter((f) => !sameValue(fieldValue(crm, f), merged[f])),
    outlookFields: fieldsOf(result).filter((f) => !sameValue(fieldValue(outlook, f), merged[f])),
    conflicts,
  };
}

/** One side's record overwrites the other's: the fields to write and nothing else. */
export function overwrite<R extends CanonicalRecord>(source: R, target: R): string[] {
  return fieldsOf(source, target).filter((f) => !sameValue(fieldValue(source, f), fieldValue(target, f)));
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}
