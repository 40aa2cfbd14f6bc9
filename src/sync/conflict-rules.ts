// Conflict rules are plain functions (vdirsyncer's `conflict_resolution`): given one field's values,
// they name the winning side. Each carries the words the conflict log shows.
import type { ConflictResolution } from '../settings/options';
import type { SideName } from './records';

export interface ConflictRule {
  (field: string, crmValue: unknown, outlookValue: unknown, base: unknown): SideName;
  /** How the pane and the log name the rule, e.g. "OroCRM always wins". */
  readonly ruleName: string;
  readonly setting: ConflictResolution;
}

function rule(setting: ConflictResolution, ruleName: string, pick: ConflictRuleFn): ConflictRule {
  return Object.assign((field: string, crmValue: unknown, outlookValue: unknown, base: unknown) => pick(field, crmValue, outlookValue, base), {
    ruleName,
    setting,
  });
}
type ConflictRuleFn = (field: string, crmValue: unknown, outlookValue: unknown, base: unknown) => SideName;

export const oroCrmAlwaysWins: ConflictRule = rule('OroCRMAlwaysWins', 'OroCRM always wins', () => 'crm');
export const outlookAlwaysWins: ConflictRule = rule('OutlookAlwaysWins', 'Outlook always wins', () => 'outlook');

export const CONFLICT_RULES: Readonly<Record<ConflictResolution, ConflictRule>> = {
  OroCRMAlwaysWins: oroCrmAlwaysWins,
  OutlookAlwaysWins: outlookAlwaysWins,
};

export function conflictRule(setting: ConflictResolution): ConflictRule {
  const found = CONFLICT_RULES[setting];
  if (!found) throw new Error(`Unknown conflict resolution "${String(setting)}"`);
  return found;
}
