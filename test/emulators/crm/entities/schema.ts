// Entity tables of the CRM emulator. Attributes live in a JSON column; the columns Oro indexes
// (owner, externalId, updatedAt) are real columns so uniqueness is enforced by SQLite.
import type Database from 'better-sqlite3';

export function migrateEntityTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS crm_contacts (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      owner_id INTEGER NOT NULL,
      organization_id INTEGER NOT NULL,
      external_id TEXT UNIQUE,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      attrs TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS crm_contact_addresses (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      contact_id INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      attrs TEXT NOT NULL,
      types TEXT NOT NULL,
      country TEXT NOT NULL,
      region TEXT
    );
    CREATE INDEX IF NOT EXISTS crm_contact_addresses_contact ON crm_contact_addresses(contact_id);
    CREATE TABLE IF NOT EXISTS crm_tasks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      owner_id INTEGER NOT NULL,
      organization_id INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      attrs TEXT NOT NULL,
      priority TEXT NOT NULL,
      status TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS crm_calendars (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      owner_id INTEGER NOT NULL UNIQUE,
      name TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS crm_calendar_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      calendar_id INTEGER NOT NULL,
      uid TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      data TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS crm_calendar_events_calendar ON crm_calendar_events(calendar_id);
    CREATE TABLE IF NOT EXISTS crm_audits (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      action TEXT NOT NULL,
      object_class TEXT NOT NULL,
      object_id TEXT NOT NULL,
      object_name TEXT,
      logged_at TEXT NOT NULL,
      user_id INTEGER,
      organization_id INTEGER,
      version INTEGER NOT NULL,
      data TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS crm_audit_queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      entry TEXT NOT NULL,
      logged_at TEXT NOT NULL,
      requests_left INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS crm_async_operations (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      entity_type TEXT NOT NULL,
      user_id INTEGER NOT NULL,
      organization_id INTEGER NOT NULL,
      status TEXT NOT NULL,
      body TEXT NOT NULL,
      requests_left INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      summary TEXT,
      errors TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE IF NOT EXISTS crm_emulator_settings (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
  `);
}

/** Oro's datetime format: UTC, seconds precision, `Z` (oro-api.md §4). */
export function oroDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The legacy REST format: PHP DATE_RFC3339 in UTC, e.g. `2016-10-14T22:00:00+00:00` (oro-api.md §3). */
export function legacyDateTime(isoZ: string): string {
  return isoZ.replace(/Z$/, '+00:00');
}

export interface UserInfo {
  id: number;
  username: string;
  organizationId: number;
  fullName: string;
  email: string | null;
}

/** Users from the core's `users` table. */
export function userById(db: Database.Database, id: number): UserInfo | null {
  const row = db
    .prepare('SELECT id, username, organization_id, first_name, last_name, email FROM users WHERE id = ?')
    .get(id) as { id: number; username: string; organization_id: number; first_name: string | null; last_name: string | null; email: string | null } | undefined;
  if (!row) return null;
  const fullName = [row.first_name, row.last_name].filter(Boolean).join(' ') || row.username;
  return { id: row.id, username: row.username, organizationId: row.organization_id, fullName, email: row.email };
}

export function userByName(db: Database.Database, username: string): UserInfo | null {
  const row = db.prepare('SELECT id FROM users WHERE username = ?').get(username) as { id: number } | undefined;
  return row ? userById(db, row.id) : null;
}

export function allUsers(db: Database.Database): UserInfo[] {
  const rows = db.prepare('SELECT id FROM users ORDER BY id').all() as Array<{ id: number }>;
  return rows.map((r) => userById(db, r.id)).filter((u): u is UserInfo => u !== null);
}
