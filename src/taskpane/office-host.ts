// The thin adapter over Office.js: everything Office-specific the pane needs passes through here,
// so the rest runs in a plain browser and in tests. (Later: roamingSettings, partitionKey.)

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
