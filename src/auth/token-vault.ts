// Where the CRM tokens live between pane loads: in memory, mirrored to a Web Storage (localStorage in
// the pane, so a pinned pane reopened later can refresh silently). Never Office roamingSettings: they
// roam to every device and Microsoft says not to keep tokens there (office-addins.md §3, §4).
// Keys carry Office.context.partitionKey when present (office-addins.md §3, localStorage row).
import { z } from 'zod';

export interface StoredCrmTokens {
  accessToken: string;
  refreshToken: string;
  /** ms since epoch. */
  expiresAt: number;
}

export interface TokenVault {
  load(crmUrl: string): StoredCrmTokens | null;
  save(crmUrl: string, tokens: StoredCrmTokens): void;
  clear(crmUrl: string): void;
}

const storedSchema = z.object({ accessToken: z.string().min(1), refreshToken: z.string().min(1), expiresAt: z.number().finite() });

export const TOKEN_KEY_BASE = 'orocrm-outlook.crm-tokens:';

export function tokenStorageKey(crmUrl: string, keyPrefix = ''): string {
  return `${keyPrefix}${TOKEN_KEY_BASE}${crmUrl.replace(/\/+$/, '')}`;
}

/** Memory in front of a Storage; an unreadable entry is dropped, never trusted; a full or blocked Storage degrades to memory only. */
export function storageTokenVault(storage: Storage | null, keyPrefix = ''): TokenVault {
  const memory = new Map<string, StoredCrmTokens>();
  return {
    load(crmUrl) {
      const key = tokenStorageKey(crmUrl, keyPrefix);
      const held = memory.get(key);
      if (held) return { ...held };
      if (!storage) return null;
      let raw: unknown = null;
      try {
        raw = JSON.parse(storage.getItem(key) ?? 'null');
      } catch {
        raw = undefined;
      }
      const parsed = storedSchema.safeParse(raw);
      if (!parsed.success) {
        if (raw !== null) safely(() => storage.removeItem(key));
        return null;
      }
      memory.set(key, parsed.data);
      return { ...parsed.data };
    },
    save(crmUrl, tokens) {
      const key = tokenStorageKey(crmUrl, keyPrefix);
      memory.set(key, { ...tokens });
      if (storage) safely(() => storage.setItem(key, JSON.stringify(tokens)));
    },
    clear(crmUrl) {
      const key = tokenStorageKey(crmUrl, keyPrefix);
      memory.delete(key);
      if (storage) safely(() => storage.removeItem(key));
    },
  };
}

/** Memory only (tests, or a browser that refuses storage). */
export function memoryTokenVault(): TokenVault {
  return storageTokenVault(null);
}

function safely(write: () => void): void {
  try {
    write();
  } catch {
    // Quota or privacy mode: the tokens still live in memory for this pane's lifetime.
  }
}
