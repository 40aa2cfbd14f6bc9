// The emulator's core tables (organizations, users, OAuth, configuration) and the demo seed.
// Entity tables belong to entities/; this file only creates what the core needs.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { DEMO_INTEGRATION_USER, DEMO_ORGANIZATION, DEMO_SERVER_OAUTH_CLIENT, DEMO_USERS } from '../demo-data';
import { addOAuthApplication, migrateOAuthClients, seedOAuthApplications } from './oauth-clients';
import { configName, type SettingKey, type SettingValue } from '../../../src/settings';

export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
  return db;
}

/** Creates the core tables; idempotent. */
export function migrateCore(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS organizations (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      password_salt TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      organization_id INTEGER NOT NULL REFERENCES organizations(id),
      is_admin INTEGER NOT NULL DEFAULT 0,
      enabled INTEGER NOT NULL DEFAULT 1,
      locked INTEGER NOT NULL DEFAULT 0,
      first_name TEXT, last_name TEXT, email TEXT
    );
    CREATE TABLE IF NOT EXISTS oauth_clients (
      client_id TEXT PRIMARY KEY,
      secret TEXT,              -- NULL for public clients (the add-in)
      active INTEGER NOT NULL DEFAULT 1,
      name TEXT NOT NULL,
      grant_type TEXT NOT NULL DEFAULT 'authorization_code',  -- one per application, as Oro (oauth-clients.ts)
      apis TEXT NOT NULL DEFAULT '*'                          -- '*' = all APIs, else API views: rest_json_api, default
    );
    CREATE TABLE IF NOT EXISTS oauth_access_tokens (
      token TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id),
      client_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL,  -- ms since epoch
      revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS oauth_refresh_tokens (
      token TEXT PRIMARY KEY,
      access_token TEXT NOT NULL,
      user_id INTEGER NOT NULL REFERENCES users(id),
      client_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked INTEGER NOT NULL DEFAULT 0
    );
    -- Oro's oro_config_value: one row per (scope, scope id, option) that stores a value of its own.
    CREATE TABLE IF NOT EXISTS config_values (
      scope TEXT NOT NULL,          -- user | organization | global
      scope_id INTEGER NOT NULL,    -- user id, organization id, 0 for global
      name TEXT NOT NULL,           -- e.g. oro_crm_pro_outlook.contacts_enabled
      value TEXT NOT NULL,          -- JSON
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (scope, scope_id, name)
    );
    -- What a user's roles allow beyond the emulator's default ACL (see permissions.ts).
    CREATE TABLE IF NOT EXISTS user_permissions (
      user_id INTEGER NOT NULL REFERENCES users(id),
      permission TEXT NOT NULL,
      PRIMARY KEY (user_id, permission)
    );
    -- One version per scope instance, drawn from one increasing sequence (the ETag source).
    CREATE TABLE IF NOT EXISTS config_versions (
      scope TEXT NOT NULL,
      scope_id INTEGER NOT NULL,
      version INTEGER NOT NULL,
      PRIMARY KEY (scope, scope_id)
    );
  `);
  migrateOAuthClients(db);
  // An older database has the add-in's application only: the runner's joins it.
  if (isSeeded(db)) seedOAuthApplications(db);
}

export function isSeeded(db: Database.Database): boolean {
  return (db.prepare('SELECT COUNT(*) AS n FROM organizations').get() as { n: number }).n > 0;
}

export function hashPassword(password: string, salt: string): string {
  return crypto.createHash('sha256').update(`${salt}:${password}`).digest('hex');
}

/** Values the demo organization stores of its own, so "Use Organization" shows something other than Oro's default. */
export const SEEDED_ORGANIZATION_SETTINGS: Partial<Record<SettingKey, SettingValue>> = {
  contacts_sync_interval_outlook: 60,
};

/** Seeds a new database: organization Acme, the demo users (password = username), the demo OAuth applications. */
export function seedCore(db: Database.Database, now: Date): void {
  db.transaction(() => {
    const org = db.prepare('INSERT INTO organizations (name) VALUES (?)').run(DEMO_ORGANIZATION);
    const orgId = Number(org.lastInsertRowid);
    const insertUser = db.prepare(
      `INSERT INTO users (username, password_salt, password_hash, organization_id, is_admin, first_name, last_name, email)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const u of DEMO_USERS) {
      const salt = crypto.randomBytes(8).toString('hex');
      insertUser.run(u.username, salt, hashPassword(u.password, salt), orgId, u.isAdmin ? 1 : 0, u.firstName, u.lastName, u.email);
    }
    seedOAuthApplications(db);
    const stamp = oroDateTime(now);
    const insertValue = db.prepare('INSERT INTO config_values (scope, scope_id, name, value, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const [key, value] of Object.entries(SEEDED_ORGANIZATION_SETTINGS)) {
      insertValue.run('organization', orgId, configName(key as SettingKey), JSON.stringify(value), stamp, stamp);
    }
    db.prepare('INSERT INTO config_versions (scope, scope_id, version) VALUES (?, ?, 1)').run('organization', orgId);
  })();
}

/**
 * The sync server's integration user and its client credentials application (issue 12); also added to
 * databases seeded before they existed. Idempotent.
 */
export function seedIntegrationUser(db: Database.Database): void {
  db.transaction(() => {
    const org = db.prepare('SELECT id FROM organizations WHERE name = ?').get(DEMO_ORGANIZATION) as { id: number } | undefined;
    if (!org) return;
    let user = db.prepare('SELECT id FROM users WHERE username = ?').get(DEMO_INTEGRATION_USER.username) as { id: number } | undefined;
    if (!user) {
      const u = DEMO_INTEGRATION_USER;
      const salt = crypto.randomBytes(8).toString('hex');
      const id = db
        .prepare('INSERT INTO users (username, password_salt, password_hash, organization_id, is_admin, first_name, last_name, email) VALUES (?, ?, ?, ?, 0, ?, ?, ?)')
        .run(u.username, salt, hashPassword(u.password, salt), org.id, u.firstName, u.lastName, u.email).lastInsertRowid;
      user = { id: Number(id) };
      const grant = db.prepare('INSERT OR IGNORE INTO user_permissions (user_id, permission) VALUES (?, ?)');
      for (const p of INTEGRATION_PERMISSIONS) grant.run(user.id, p);
    }
    const c = DEMO_SERVER_OAUTH_CLIENT;
    if (!db.prepare('SELECT 1 FROM oauth_clients WHERE client_id = ?').get(c.clientId)) {
      addOAuthApplication(db, { clientId: c.clientId, name: 'OroCRM Sync server', grant: 'client_credentials', secret: c.secret, apis: null, ownerUserId: user.id });
    }
  })();
}

/** The role of the demo integration user (permissions.ts; README "The sync server's integration user"). */
export const INTEGRATION_PERMISSIONS = ['outlook_sync_server', 'calendar_events_organization'] as const;

/** Oro's datetime format: UTC, seconds precision, `Z` (oro-api.md §4). */
export function oroDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
