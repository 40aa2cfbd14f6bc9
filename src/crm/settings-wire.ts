// Wire shapes of the settings APIs, validated with zod at the edge, and their mapping onto the
// settings model (the `outlooksettings` extension).
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
