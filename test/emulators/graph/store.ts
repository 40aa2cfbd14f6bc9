// SQLite persistence. Every Outlook object is one row of `items`; a global, monotonic `seq` is bumped on
// every write, so "changes in a collection after seq N" is a delta round. Deletions keep a tombstone row.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type ItemKind = 'contactFolder' | 'contact' | 'calendar' | 'event' | 'todoList' | 'task';

export type MeetingMessageKind = 'invitation' | 'update' | 'cancellation';

export interface ExtendedProperty {
  id: string;
  value: string;
}

export interface StoredItem {
  id: string;
  mailbox: string;
  kind: ItemKind;
  /** Folder, calendar or list id; null for top-level containers. */
  parent: string | null;
  /** The Graph JSON of the item, without @odata.etag and extended properties. */
  data: Record<string, unknown>;
  props: ExtendedProperty[];
  seq: number;
  deleted: boolean;
}

export interface GraphUser {
  id: string;
  username: string;
  upn: string;
  password: string;
  displayName: string;
}

/**
 * An app registration of the tenant with a client secret and the application permissions an
 * administrator consented to (`roles` in its app-only tokens), for the client credentials grant.
 */
export interface GraphApp {
  clientId: string;
  secret: string;
  /** The tenant id (a GUID) and its verified domain; the token endpoint accepts either. */
  tenant: string;
  tenantName: string;
  displayName: string;
  roles: string[];
}

/** Who a token speaks for: a signed-in user (delegated) or an application on its own (app-only). */
export type GraphCaller = { kind: 'user'; user: GraphUser } | { kind: 'app'; app: GraphApp };

/** Tokens of an application are stored against this pseudo user id. */
const APP_TOKEN_PREFIX = 'app:';

interface ItemRow {
  id: string;
  mailbox: string;
  kind: ItemKind;
  parent: string | null;
  data: string;
  props: string;
  seq: number;
  deleted: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, upn TEXT NOT NULL, password TEXT NOT NULL, displayName TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, userId TEXT NOT NULL, kind TEXT NOT NULL, expiresAt INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS apps (clientId TEXT PRIMARY KEY, secret TEXT NOT NULL, tenant TEXT NOT NULL, tenantName TEXT NOT NULL, displayName TEXT NOT NULL, roles TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
  rowid INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE, mailbox TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT,
  data TEXT NOT NULL, props TEXT NOT NULL DEFAULT '[]', seq INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS items_collection ON items (mailbox, kind, parent, seq);
CREATE TABLE IF NOT EXISTS departures (mailbox TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS departures_collection ON departures (mailbox, kind, parent, seq);
CREATE TABLE IF NOT EXISTS meeting_messages (rowid INTEGER PRIMARY KEY AUTOINCREMENT, mailbox TEXT NOT NULL, eventId TEXT NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transactions (mailbox TEXT NOT NULL, transactionId TEXT NOT NULL, eventId TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (mailbox, transactionId));
`;

export class GraphStore {
  readonly db: Database.Database;
  /** Prepared statements by SQL text: preparing costs more than running a small statement. */
  private readonly statements = new Map<string, Database.Statement>();
  private userList: GraphUser[] | null = null;
  private readonly tokenRows = new Map<string, { userId: string; expiresAt: number }>();

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // WAL with NORMAL survives a killed emulator process (only an OS crash may lose the last commits),
    // and spares an fsync per commit: the emulator stands in for a service, its disk is not under test.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getMeta(key: string): string | null {
    const row = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  setMeta(key: string, value: string): void {
    this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Next value of a persistent counter (seq, token serials, ...). */
  next(counter: string): number {
    const n = Number(this.getMeta(counter) ?? '0') + 1;
    this.setMeta(counter, String(n));
    return n;
  }

  current(counter: string): number {
    return Number(this.getMeta(counter) ?? '0');
  }

  // --- users and tokens ---

  addUser(u: GraphUser): void {
    this.userList = null;
    this.sql('INSERT INTO users (id, username, upn, password, displayName) VALUES (@id, @username, @upn, @password, @displayName)').run(u);
  }

  /** Every user; read once (users change only through addUser), each call gets its own copies. */
  users(): GraphUser[] {
    this.userList ??= this.sql('SELECT * FROM users ORDER BY username').all() as GraphUser[];
    return this.userList.map((u) => ({ ...u }));
  }

  /** By id, UPN (case-insensitive) or username. */
  findUser(key: string): GraphUser | null {
    const k = key.toLowerCase();
    return this.users().find((u) => u.id.toLowerCase() === k || u.upn.toLowerCase() === k || u.username.toLowerCase() === k) ?? null;
  }

  saveToken(token: string, userId: string, kind: 'access' | 'refresh', expiresAt: number): void {
    this.sql('INSERT INTO tokens (token, userId, kind, expiresAt) VALUES (?, ?, ?, ?)').run(token, userId, kind, expiresAt);
  }

  addApp(app: GraphApp): void {
    this.sql('INSERT INTO apps (clientId, secret, tenant, tenantName, displayName, roles) VALUES (?, ?, ?, ?, ?, ?)').run(app.clientId, app.secret, app.tenant, app.tenantName, app.displayName, JSON.stringify(app.roles));
  }

  findApp(clientId: string): GraphApp | null {
    const row = this.sql('SELECT * FROM apps WHERE clientId = ?').get(clientId) as (Omit<GraphApp, 'roles'> & { roles: string }) | undefined;
    return row ? { ...row, roles: JSON.parse(row.roles) as string[] } : null;
  }

  /** Whether a tenant id or domain names the tenant of any registered app (the emulator has one tenant per app). */
  knowsTenant(tenant: string): boolean {
    const t = tenant.toLowerCase();
    return (this.sql('SELECT COUNT(*) AS n FROM apps WHERE lower(tenant) = ? OR lower(tenantName) = ?').get(t, t) as { n: number }).n > 0;
  }

  saveAppToken(token: string, clientId: string, expiresAt: number): void {
    this.saveToken(token, APP_TOKEN_PREFIX + clientId, 'access', expiresAt);
  }

  /** The caller behind an access token: a user, or an application (client credentials). */
  tokenCaller(token: string, nowMs: number): { caller: GraphCaller | null; expired: boolean } {
    const row = this.tokenRow(token, 'access');
    if (!row) return { caller: null, expired: false };
    if (row.expiresAt <= nowMs) return { caller: null, expired: true };
    if (row.userId.startsWith(APP_TOKEN_PREFIX)) {
      const app = this.findApp(row.userId.slice(APP_TOKEN_PREFIX.length));
      return { caller: app ? { kind: 'app', app } : null, expired: false };
    }
    const user = this.findUser(row.userId);
    return { caller: user ? { kind: 'user', user } : null, expired: false };
  }

  private tokenRow(token: string, kind: 'access' | 'refresh'): { userId: string; expiresAt: number } | undefined {
    const cacheKey = `${kind} ${token}`;
    let row = this.tokenRows.get(cacheKey);
    if (!row) {
      row = this.sql('SELECT userId, expiresAt FROM tokens WHERE token = ? AND kind = ?').get(token, kind) as { userId: string; expiresAt: number } | undefined;
      if (row) this.tokenRows.set(cacheKey, row);
    }
    return row;
  }

  tokenUser(token: string, kind: 'access' | 'refresh', nowMs: number): { user: GraphUser | null; expired: boolean } {
    // Tokens never change once saved: every request (and $batch item) looks its token up, so keep them.
    const cacheKey = `${kind} ${token}`;
    let row = this.tokenRows.get(cacheKey);
    if (!row) {
      row = this.sql('SELECT userId, expiresAt FROM tokens WHERE token = ? AND kind = ?').get(token, kind) as { userId: string; expiresAt: number } | undefined;
      if (row) this.tokenRows.set(cacheKey, row);
    }
    if (!row) return { user: null, expired: false };
    if (row.expiresAt <= nowMs) return { user: null, expired: true };
    return { user: this.findUser(row.userId), expired: false };
  }

  // --- items ---

  insert(item: Omit<StoredItem, 'seq' | 'deleted'>): StoredItem {
    const seq = this.next('seq');
    this.sql('INSERT INTO items (id, mailbox, kind, parent, data, props, seq, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, 0)')
      .run(item.id, item.mailbox, item.kind, item.parent, JSON.stringify(item.data), JSON.stringify(item.props), seq);
    return { ...item, seq, deleted: false };
  }

  update(item: StoredItem): StoredItem {
    const seq = this.next('seq');
    this.sql('UPDATE items SET parent = ?, data = ?, props = ?, seq = ?, deleted = ? WHERE id = ?')
      .run(item.parent, JSON.stringify(item.data), JSON.stringify(item.props), seq, item.deleted ? 1 : 0, item.id);
    return { ...item, seq };
  }

  /** Marks the item deleted (a tombstone for delta) and bumps its seq. */
  remove(item: StoredItem): void {
    this.update({ ...item, deleted: true });
  }

  get(id: string): StoredItem | null {
    const row = this.sql('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined;
    return row ? fromRow(row) : null;
  }

  /** Live items of a collection in creation order. */
  list(mailbox: string, kind: ItemKind, parent: string | null): StoredItem[] {
    const rows = (
      parent === null
        ? this.sql('SELECT * FROM items WHERE mailbox = ? AND kind = ? AND parent IS NULL AND deleted = 0 ORDER BY rowid').all(mailbox, kind)
        : this.sql('SELECT * FROM items WHERE mailbox = ? AND kind = ? AND parent = ? AND deleted = 0 ORDER BY rowid').all(mailbox, kind, parent)
    ) as ItemRow[];
    return rows.map(fromRow);
  }

  listAll(mailbox: string, kind: ItemKind): StoredItem[] {
    const rows = this.sql('SELECT * FROM items WHERE mailbox = ? AND kind = ? AND deleted = 0 ORDER BY rowid').all(mailbox, kind) as ItemRow[];
    return rows.map(fromRow);
  }

  /**
   * Moves a live item to another container, keeping its id (Outlook's immutable ids survive moves): its
   * old collection's delta reports it as removed from then on (`departures`), its new one as changed.
   */
  move(item: StoredItem, parent: string, data: Record<string, unknown>): StoredItem {
    const moved = this.update({ ...item, parent, data });
    if (item.parent !== null) this.sql('INSERT INTO departures (mailbox, kind, parent, id, seq) VALUES (?, ?, ?, ?, ?)').run(item.mailbox, item.kind, item.parent, item.id, moved.seq);
    return moved;
  }

  /**
   * Items (tombstones included) of a collection with afterSeq < seq <= upToSeq, in seq order, at most
   * `limit`. An item that moved away and is not back reads as a tombstone at the seq of its move.
   */
  changes(mailbox: string, kind: ItemKind, parent: string, afterSeq: number, upToSeq: number, limit: number): StoredItem[] {
    const rows = this.sql(
      `SELECT * FROM (
         SELECT id, mailbox, kind, parent, data, props, seq, deleted FROM items WHERE mailbox = ? AND kind = ? AND parent = ? AND seq > ? AND seq <= ?
         UNION ALL
         SELECT d.id, d.mailbox, d.kind, d.parent, '{}' AS data, '[]' AS props, d.seq, 1 AS deleted FROM departures d
           JOIN items i ON i.id = d.id
           WHERE d.mailbox = ? AND d.kind = ? AND d.parent = ? AND d.seq > ? AND d.seq <= ?
             AND i.parent IS NOT d.parent
             AND d.seq = (SELECT MAX(seq) FROM departures WHERE id = d.id AND parent = d.parent)
       ) ORDER BY seq LIMIT ?`,
    ).all(mailbox, kind, parent, afterSeq, upToSeq, mailbox, kind, parent, afterSeq, upToSeq, limit) as ItemRow[];
    return rows.map(fromRow);
  }

  // --- meeting messages (what Exchange would have mailed to attendees) ---

  recordMeetingMessage(mailbox: string, eventId: string, kind: MeetingMessageKind, recipient: string): void {
    this.sql('INSERT INTO meeting_messages (mailbox, eventId, kind, recipient) VALUES (?, ?, ?, ?)').run(mailbox, eventId, kind, recipient);
  }

  meetingMessages(): Array<{ mailbox: string; eventId: string; kind: MeetingMessageKind; recipient: string }> {
    return this.sql('SELECT mailbox, eventId, kind, recipient FROM meeting_messages ORDER BY rowid').all() as Array<{ mailbox: string; eventId: string; kind: MeetingMessageKind; recipient: string }>;
  }

  // --- event transactionIds ---

  findTransaction(mailbox: string, transactionId: string): { eventId: string; hash: string } | null {
    return (
      (this.sql('SELECT eventId, hash FROM transactions WHERE mailbox = ? AND transactionId = ?').get(mailbox, transactionId) as
        | { eventId: string; hash: string }
        | undefined) ?? null
    );
  }

  saveTransaction(mailbox: string, transactionId: string, eventId: string, hash: string): void {
    this.sql('INSERT OR REPLACE INTO transactions (mailbox, transactionId, eventId, hash) VALUES (?, ?, ?, ?)')
      .run(mailbox, transactionId, eventId, hash);
  }
}

function fromRow(row: ItemRow): StoredItem {
  return {
    id: row.id,
    mailbox: row.mailbox,
    kind: row.kind,
    parent: row.parent,
    data: JSON.parse(row.data) as Record<string, unknown>,
    props: JSON.parse(row.props) as ExtendedProperty[],
    seq: row.seq,
    deleted: row.deleted === 1,
  };
}
