// Validation as Oro's back office does it: a choice from the list, an integer 1..86399, a boolean.
import { optionFor, type SettingKey, type SettingValue, type Choice, isSettingKey } from './options';

export interface ValidationProblem {
  key: string;
  /** Oro's constraint title, e.g. "range constraint". */
  title: 'range constraint' | 'value constraint' | 'not blank constraint' | 'type constraint' | 'extra fields constraint';
  message: string;
}

export type ValidationResult<V> = { ok: true; value: V } | { ok: false; problem: ValidationProblem };

/** Checks one value; numbers given as digit strings (a form field) are accepted as integers. */
export function validateSetting(key: string, raw: unknown): ValidationResult<SettingValue> {
  if (!isSettingKey(key)) {
    return fail(key, 'extra fields constraint', `"${key}" is not an MS Outlook setting.`);
  }
  const option = optionFor(key);
  const label = option.label;
  if (raw === null || raw === undefined || raw === '') {
    return fail(key, 'not blank constraint', `${label}: this value should not be blank.`);
  }
  switch (option.type) {
    case 'choice': {
      const choices = option.choices as ReadonlyArray<Choice<string>>;
      if (typeof raw === 'string' && choices.some((c) => c.value === raw)) return { ok: true, value: raw as SettingValue };
      const allowed = choices.map((c) => `"${c.value}" (${c.label})`).join(', ');
      return fail(key, 'value constraint', `${label}: the value you selected is not a valid choice. Choose one of ${allowed}.`);
    }
    case 'integer': {
      const n = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n)) {
        return fail(key, 'type constraint', `${label}: enter a whole number of seconds from ${option.min} to ${option.max}.`);
      }
      if (n < option.min || n > option.max) {
        return fail(key, 'range constraint', `${label}: this value should be between ${option.min} and ${option.max}.`);
      }
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      return fail(key, 'type constraint', `${label}: this value should be true or false.`);
    }
  }
}

/** Validates several values at once and reports every problem, not only the first. */
export function validateSettings(
  values: Record<string, unknown>,
): { ok: true; values: Partial<Record<SettingKey, SettingValue>> } | { ok: false; problems: ValidationProblem[] } {
  const problems: ValidationProblem[] = [];
  const out: Partial<Record<SettingKey, SettingValue>> = {};
  for (const [key, raw] of Object.entries(values)) {
    const result = validateSetting(key, raw);
    if (result.ok) out[key as SettingKey] = result.value;
    else problems.push(result.problem);
  }
  return problems.length ? { ok: false, problems } : { ok: true, values: out };
}

function fail(key: string, title: ValidationProblem['title'], message: string): ValidationResult<never> {
  return { ok: false, problem: { key, title, message } };
}
