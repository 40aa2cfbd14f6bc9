// Keeps the standalone dev session across reloads of one browser tab (sessionStorage only: never
// localStorage, never Office roamingSettings). Only the access token is kept, never the password.
import { z } from 'zod';

export interface KeptSession {
  crmUrl: string;
  username: string;
  accessToken: string;
}

export interface SessionKeeper {
  load(): KeptSession | null;
  save(session: KeptSession): void;
  clear(): void;
}

const keptSessionSchema = z.object({ crmUrl: z.string().min(1), username: z.string().min(1), accessToken: z.string().min(1) });

export const SESSION_STORAGE_KEY = 'orocrm-outlook.dev-session';

/** A keeper over a Storage (sessionStorage in the pane); unreadable entries are dropped, not trusted. */
export function storageSessionKeeper(storage: Storage, key = SESSION_STORAGE_KEY): SessionKeeper {
  return {
    load() {
      let raw: unknown;
      try {
        raw = JSON.parse(storage.getItem(key) ?? 'null');
      } catch {
        raw = null;
      }
      const parsed = keptSessionSchema.safeParse(raw);
      if (!parsed.success) {
        if (raw !== null) storage.removeItem(key);
        return null;
      }
      return parsed.data;
    },
    save(session) {
      storage.setItem(key, JSON.stringify(session));
    },
    clear() {
      storage.removeItem(key);
    },
  };
}

/** Keeps nothing: every load of the pane asks for sign-in. */
export const NO_SESSION_KEEPER: SessionKeeper = {
  load: () => null,
  save: () => undefined,
  clear: () => undefined,
};
