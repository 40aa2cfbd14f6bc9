// Wire shapes of the settings APIs, validated with zod at the edge, and their mapping onto the
// settings model: the `outlooksettings` extension and Oro's stock configuration API (oro-api.md §5).
import { z } from 'zod';
import {
  configName,
  SETTING_KEYS,
  SETTING_OPTIONS,
  type ResolvedSetting,
  type ResolvedSettings,
  type Scope,
  type SettingKey,
  type SettingOption,
  type SettingValue,
  type ValueSource,
} from '../settings';
import type { SettingsChange } from '../settings/service';

export const OUTLOOKSETTINGS_TYPE = 'outlooksettings';
export const CONFIGURATION_SECTION = 'outlook';

function valueSchema(option: SettingOption): z.ZodType<SettingValue> {
  switch (option.type) {
    case 'choice':
      return z.enum(option.choices.map((c) => c.value) as [string, ...string[]]) as z.ZodType<SettingValue>;
    case 'integer':
      return z.number().int();
    case 'boolean':
      return z.boolean();
  }
}

const attributeSchemas = Object.fromEntries(
  SETTING_OPTIONS.map((option) => {
    const v = valueSchema(option);
    return [option.key, z.object({ value: v, useParentScope: z.boolean(), parentValue: v, parentScope: z.enum(['organization', 'global', 'default']) })];
  }),
) as unknown as Record<SettingKey, z.ZodType<ResolvedSetting>>;

const outlookSettingsDocument = z.object({
  data: z.object({
    type: z.literal(OUTLOOKSETTINGS_TYPE),
    id: z.enum(['user', 'organization', 'global']),
    attributes: z.object(attributeSchemas),
  }),
});

/** The resolved settings of an outlooksettings document, or the reason it cannot be read. */
export function parseOutlookSettings(body: unknown, scope: Scope): { ok: true; settings: ResolvedSettings } | { ok: false; reason: string } {
  const parsed = outlookSettingsDocument.safeParse(body);
  if (!parsed.success) return { ok: false, reason: z.prettifyError(parsed.error) };
  if (parsed.data.data.id !== scope) return { ok: false, reason: `asked for the ${scope} settings, got "${parsed.data.data.id}"` };
  return { ok: true, settings: parsed.data.data.attributes as ResolvedSettings };
}

/** The PATCH document for a change: only the named keys. */
export function patchDocument(scope: Scope, change: SettingsChange): unknown {
  const attributes: Record<string, unknown> = {};
  for (const [key, c] of Object.entries(change) as Array<[SettingKey, SettingsChange[SettingKey]]>) {
    if (!c) continue;
    attributes[key] = c.useParentScope ? { useParentScope: true } : { value: c.value, useParentScope: false };
  }
  return { data: { type: OUTLOOKSETTINGS_TYPE, id: scope, attributes } };
}

// --- Oro's stock configuration API (the read-only fallback) ---

const configurationOption = z.object({
  type: z.literal('configurationoptions'),
  id: z.string(),
  attributes: z.object({
    scope: z.string(),
    dataType: z.string().optional(),
    value: z.unknown(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  }),
});

const configurationDocument = z.object({
  data: z.object({ type: z.literal('configuration'), id: z.string() }),
  included: z.array(z.unknown()).optional(),
});

/** One option as Oro reports it at one scope: the value in effect there, and when it was stored (null: Oro's default). */
export interface ConfigOption {
  value: SettingValue;
  updatedAt: string | null;
}

export type ConfigSection = Record<SettingKey, ConfigOption>;

/** The seven options of a configuration section document (`include=options`), or the reason it cannot be read. */
export function parseConfigurationSection(body: unknown): { ok: true; section: ConfigSection } | { ok: false; reason: string } {
  const doc = configurationDocument.safeParse(body);
  if (!doc.success) return { ok: false, reason: z.prettifyError(doc.error) };
  const byId = new Map<string, z.infer<typeof configurationOption>>();
  for (const item of doc.data.included ?? []) {
    const option = configurationOption.safeParse(item);
    if (option.success) byId.set(option.data.id, option.data);
  }
  const section: Partial<ConfigSection> = {};
  for (const option of SETTING_OPTIONS) {
    const item = byId.get(configName(option.key));
    if (!item) return { ok: false, reason: `option ${configName(option.key)} is missing from the configuration section` };
    const value = valueSchema(option).safeParse(item.attributes.value);
    if (!value.success) return { ok: false, reason: `option ${configName(option.key)} has an unreadable value` };
    section[option.key] = { value: value.data, updatedAt: item.attributes.updatedAt ?? item.attributes.createdAt };
  }
  return { ok: true, section: section as ConfigSection };
}

/**
 * Rebuilds inheritance from what the stock API shows at each scope. It only reports effective
 * values, so "stored at this scope" is inferred: a scope inherits when it shows the same value
 * with the same timestamp as its parent (the same stored row); a null timestamp means Oro's default.
 * `organization` and `global` may be missing (e.g. not readable by this user).
 */
export function resolveFromConfiguration(
  scope: Scope,
  sections: { user?: ConfigSection; organization?: ConfigSection; global?: ConfigSection },
): ResolvedSettings {
  const chain: Scope[] = scope === 'user' ? ['user', 'organization', 'global'] : scope === 'organization' ? ['organization', 'global'] : ['global'];
  const out: Partial<Record<SettingKey, ResolvedSetting>> = {};
  for (const key of SETTING_KEYS) {
    const seen = chain.map((s) => ({ scope: s, option: sections[s]?.[key] }));
    const own = seen[0].option;
    if (!own) throw new Error(`the ${scope} configuration section is required`);
    // The nearest scope that stores the value in effect at each level.
    const sourceOf = (i: number): ValueSource => {
      const here = seen[i].option;
      if (!here || here.updatedAt === null) return 'default';
      const parent = seen[i + 1]?.option;
      if (parent && sameRow(here, parent)) return sourceOf(i + 1);
      return seen[i].scope;
    };
    const parent = seen[1]?.option;
    const ownSource = sourceOf(0);
    const parentScope: ValueSource = parent ? sourceOf(1) : ownSource === scope ? 'default' : ownSource;
    const useParentScope = ownSource !== scope;
    out[key] = {
      value: own.value,
      useParentScope,
      parentValue: parent ? parent.value : useParentScope ? own.value : defaultOf(key),
      parentScope,
    };
  }
  return out as ResolvedSettings;
}

function sameRow(a: ConfigOption, b: ConfigOption): boolean {
  return a.updatedAt === b.updatedAt && a.value === b.value;
}

function defaultOf(key: SettingKey): SettingValue {
  return SETTING_OPTIONS.find((o) => o.key === key)!.default;
}
