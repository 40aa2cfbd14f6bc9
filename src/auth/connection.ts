// Which CRM the add-in is connected to: the URL the user entered on the connect screen, checked at the
// edge and kept in Office roamingSettings so it follows the mailbox to every device. Only the URL goes
// there: roamingSettings are 32 KB, roam everywhere and must not hold tokens (office-addins.md §3).

export interface CrmUrlRules {
  /** Development builds also accept http on localhost / 127.0.0.1 (the emulator). */
  allowLoopbackHttp: boolean;
  /**
   * Production: the only CRM origins this build can reach (its CSP's connect-src, i.e. ADDIN_CRM_URL).
   * Absent: any CRM (dev mode, tests).
   */
  allowedOrigins?: readonly string[];
}

export class CrmUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrmUrlError';
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** This machine: where the emulators and the dev server run. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname);
}

/** The CRM base URL, normalised (no trailing slash), or CrmUrlError with a message for the form. */
export function validateCrmUrl(typed: string, rules: CrmUrlRules): string {
  const text = typed.trim();
  if (!text) throw new CrmUrlError('Enter your OroCRM address, for example https://crm.example.com.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CrmUrlError(`"${text}" is not a web address. Enter it in full, for example https://crm.example.com.`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && loopback && rules.allowLoopbackHttp) {
    // The local emulator in development.
  } else if (url.protocol !== 'https:') {
    throw new CrmUrlError(
      url.protocol === 'http:' ? 'The CRM address must start with https:// so sign-in and your data stay encrypted.' : 'The CRM address must start with https://.',
    );
  }
  if (url.username || url.password) throw new CrmUrlError('Leave the user name and password out of the CRM address; you sign in separately.');
  if (url.search || url.hash) throw new CrmUrlError('The CRM address must not contain "?" or "#". Enter only the address of your OroCRM.');
  if (rules.allowedOrigins && !rules.allowedOrigins.includes(url.origin)) {
    // The pages' Content-Security-Policy would block every request to it: say so now, not as a failed sign-in.
    throw new CrmUrlError(
      rules.allowedOrigins.length
        ? `This add-in was set up for ${rules.allowedOrigins.join(' or ')} and cannot reach ${url.origin}. Enter that address, or ask your administrator to build the add-in for your CRM.`
        : `This add-in was built without a CRM address, so it cannot reach ${url.origin}. Ask your administrator to build it for your CRM.`,
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export interface ConnectionStore {
  /** The connected CRM's URL, or null before the first connect. */
  load(): string | null;
  save(crmUrl: string): Promise<void>;
  clear(): Promise<void>;
}

export const CRM_URL_SETTING = 'orocrm.crmUrl';

type RoamingSettingsLike = Pick<Office.RoamingSettings, 'get' | 'set' | 'remove' | 'saveAsync'>;

/** The CRM URL in Office.context.roamingSettings (written with saveAsync, which can fail: error 9057 over 32 KB). */
export function roamingConnectionStore(settings: RoamingSettingsLike): ConnectionStore {
  const persist = () =>
    new Promise<void>((resolve, reject) => {
      settings.saveAsync((result) => {
        if (String(result.status) === 'succeeded') resolve();
        else reject(new Error(`Outlook could not save the CRM address: ${result.error?.message ?? 'unknown error'}`));
      });
    });
  return {
    load() {
      const value: unknown = settings.get(CRM_URL_SETTING);
      return typeof value === 'string' && value ? value : null;
    },
    async save(crmUrl) {
      settings.set(CRM_URL_SETTING, crmUrl);
      await persist();
    },
    async clear() {
      settings.remove(CRM_URL_SETTING);
      await persist();
    },
  };
}

/** Outside Outlook (standalone dev, tests): a Storage, or memory. */
export function storageConnectionStore(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null, key = CRM_URL_SETTING): ConnectionStore {
  let memory: string | null = null;
  return {
    load: () => (storage ? storage.getItem(key) : memory),
    async save(crmUrl) {
      if (storage) storage.setItem(key, crmUrl);
      else memory = crmUrl;
    },
    async clear() {
      if (storage) storage.removeItem(key);
      else memory = null;
    },
  };
}
