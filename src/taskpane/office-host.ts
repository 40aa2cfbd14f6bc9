// The thin adapter over Office.js: everything Office-specific the pane needs passes through here,
// so the rest runs in a plain browser and in tests.
import type { OverridesStore } from '../settings/local-overrides';

export type HostKind = 'outlook' | 'standalone' | 'other-office';

export interface HostInfo {
  kind: HostKind;
  /** Office's host name (e.g. "Outlook"), or null outside Office. */
  host: string | null;
  platform: string | null;
}

export const STANDALONE: HostInfo = { kind: 'standalone', host: null, platform: null };

/** The global `Office` that office.js defines, if it loaded (it may not: offline dev, tests). */
export function officeGlobal(): typeof Office | undefined {
  return (globalThis as { Office?: typeof Office }).Office;
}

/** Waits for Office.onReady; outside Office (no office.js, or onReady answering host null) it is "standalone". */
export async function whenOfficeReady(office: typeof Office | undefined = officeGlobal()): Promise<HostInfo> {
  if (!office || typeof office.onReady !== 'function') return STANDALONE;
  const info = (await office.onReady()) as { host?: unknown; platform?: unknown } | undefined;
  const host = typeof info?.host === 'string' && info.host ? info.host : null;
  const platform = typeof info?.platform === 'string' && info.platform ? info.platform : null;
  if (host === null) return STANDALONE;
  const outlook = office.HostType?.Outlook ?? 'Outlook';
  return { kind: host.toLowerCase() === String(outlook).toLowerCase() ? 'outlook' : 'other-office', host, platform };
}

/** Runs `render` once Office is ready, never before. */
export async function startWhenOfficeReady(render: (host: HostInfo) => void, office: typeof Office | undefined = officeGlobal()): Promise<HostInfo> {
  const host = await whenOfficeReady(office);
  render(host);
  return host;
}

/** Office.context.partitionKey: set where storage is partitioned per add-in (Outlook on the web); prefix local storage with it (office-addins.md). */
export function partitionKey(office: typeof Office | undefined = officeGlobal()): string | undefined {
  try {
    const key = (office?.context as { partitionKey?: unknown } | undefined)?.partitionKey;
    return typeof key === 'string' && key ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The key of the user's own MS Outlook Settings in roamingSettings (only against a stock Oro). */
export const SETTINGS_OVERRIDES_KEY = 'orocrm.settings';

type RoamingSettingsLike = Pick<Office.RoamingSettings, 'get' | 'set' | 'saveAsync'>;

/**
 * The user's own settings in Office.context.roamingSettings: they follow the mailbox to every device,
 * hold no secrets (only the seven values) and stay far below the 32 KB limit (office-addins.md §3).
 */
export function roamingOverridesStore(settings: RoamingSettingsLike): OverridesStore {
  return {
    where: 'Outlook',
    load: async () => settings.get(SETTINGS_OVERRIDES_KEY) as unknown,
    save: (values) =>
      new Promise<void>((resolve, reject) => {
        settings.set(SETTINGS_OVERRIDES_KEY, values);
        settings.saveAsync((result) => {
          if (String(result.status) === 'succeeded') resolve();
          else reject(new Error(`Outlook could not save your settings: ${result.error?.message ?? 'unknown error'}`));
        });
      }),
  };
}
