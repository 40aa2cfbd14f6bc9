// Reads and writes the MS Outlook settings in config_values, per scope instance, with versions.
// Resolution itself is src/settings/scopes.ts, the one module the pane and the emulator share.
import type Database from 'better-sqlite3';
import {
  configName,
  SETTING_KEYS,
  SETTINGS_PREFIX,
  type Scope,
  type ScopeChain,
  type SettingKey,
  type SettingValue,
  type StoredValues,
} from '../../../src/settings';
import type { CrmUser } from './context';
import { oroDateTime } from './db';

export interface ScopeRef {
  scope: Scope;
  scopeId: number;
}

export interface StoredRow {
  value: SettingValue;
  createdAt: string;
  updatedAt: string;
}

/** The scope instances a user sees, nearest first: their own, their organization's, the global one. */
export function scopeRefs(user: CrmUser): Record<Scope, ScopeRef> {
  return {
    user: { scope: 'user', scopeId: user.id },
    organization: { scope: 'organization', scopeId: user.organizationId },
    global: { scope: 'global', scopeId: 0 },
  };
}

/** Rows stored at one scope instance, by setting key. */
export function readScope(db: Database.Database, ref: ScopeRef): Partial<Record<SettingKey, StoredRow>> {
  const rows = db
    .prepare('SELECT name, value, created_at, updated_at FROM config_values WHERE scope = ? AND scope_id = ? AND name LIKE ?')
    .all(ref.scope, ref.scopeId, `${SETTINGS_PREFIX}%`) as Array<{ name: string; value: string; created_at: string; updated_at: string }>;
  const out: Partial<Record<SettingKey, StoredRow>> = {};
  for (const row of rows) {
    const key = row.name.slice(SETTINGS_PREFIX.length) as SettingKey;
    if (!SETTING_KEYS.includes(key)) continue;
    out[key] = { value: JSON.parse(row.value) as SettingValue, createdAt: row.created_at, updatedAt: row.updated_at };
  }
  return out;
}

/** Stored rows of every scope `user` sees. */
export function readRows(db: Database.Database, user: CrmUser): Record<Scope, Partial<Record<SettingKey, StoredRow>>> {
  const refs = scopeRefs(user);
  return { user: readScope(db, refs.user), organization: readScope(db, refs.organization), global: readScope(db, refs.global) };
}

export function toChain(rows: Record<Scope, Partial<Record<SettingKey, StoredRow>>>): ScopeChain {
  const values = (r: Partial<Record<SettingKey, StoredRow>>): StoredValues =>
    Object.fromEntries(Object.entries(r).map(([k, row]) => [k, row.value])) as StoredValues;
  return { user: values(rows.user), organization: values(rows.organization), global: values(rows.global) };
}

function scopeVersion(db: Database.Database, ref: ScopeRef): number {
  const row = db.prepare('SELECT version FROM config_versions WHERE scope = ? AND scope_id = ?').get(ref.scope, ref.scopeId) as { version: number } | undefined;
  return row?.version ?? 0;
}

/**
 * The version of what `scope` shows: the newest write to it or to any scope it inherits from, since
 * parentValue is part of the representation. Versions come from one sequence, so this only grows.
 */
export function representationVersion(db: Database.Database, user: CrmUser, scope: Scope): number {
  const refs = scopeRefs(user);
  const chain: Scope[] = scope === 'user' ? ['user', 'organization', 'global'] : scope === 'organization' ? ['organization', 'global'] : ['global'];
  return Math.max(0, ...chain.map((s) => scopeVersion(db, refs[s])));
}

/** Per key: store this value, or (null) delete this scope's own value. */
export type ScopeWrite = Partial<Record<SettingKey, SettingValue | null>>;

/** Applies every write or none; bumps the scope's version when anything changed. */
export function writeScope(db: Database.Database, ref: ScopeRef, writes: ScopeWrite, now: Date): boolean {
  return db.transaction(() => {
    const stamp = oroDateTime(now);
    let changed = false;
    for (const [key, value] of Object.entries(writes) as Array<[SettingKey, SettingValue | null]>) {
      const name = configName(key);
      if (value === null) {
        changed = db.prepare('DELETE FROM config_values WHERE scope = ? AND scope_id = ? AND name = ?').run(ref.scope, ref.scopeId, name).changes > 0 || changed;
        continue;
      }
      const json = JSON.stringify(value);
      const existing = db.prepare('SELECT value FROM config_values WHERE scope = ? AND scope_id = ? AND name = ?').get(ref.scope, ref.scopeId, name) as
        | { value: string }
        | undefined;
      if (existing?.value === json) continue;
      db.prepare(
        `INSERT INTO config_values (scope, scope_id, name, value, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, scope_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ).run(ref.scope, ref.scopeId, name, json, stamp, stamp);
      changed = true;
    }
    if (changed) {
      const next = (db.prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM config_versions').get() as { v: number }).v;
      db.prepare(
        `INSERT INTO config_versions (scope, scope_id, version) VALUES (?, ?, ?)
         ON CONFLICT (scope, scope_id) DO UPDATE SET version = excluded.version`,
      ).run(ref.scope, ref.scopeId, next);
    }
    return changed;
  })();
}
