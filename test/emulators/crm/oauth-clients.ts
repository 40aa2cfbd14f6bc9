// OAuth applications ("clients") as Oro keeps them (issue 11 #7; oroinc/oauth2-server):
// - one grant type per application: Form/Type/AbstractClientType offers the grants as a single choice
//   (`multiple_grants` false) and makes it read-only once saved;
// - confidential by default (Entity/Client `confidential = true`); only an authorization_code application
//   shows the Confidential box, so only it can be public, and then it must send PKCE;
// - League/Repository/ClientRepository::validateClient: unknown or inactive client, a grant the
//   application does not have (refresh_token goes with password and authorization_code), or a
//   confidential application without its secret: all `invalid_client`;
// - the APIs a token may use: "all APIs", or a list of API views (Api/OAuth2TokenAccessChecker). The
//   legacy REST API (/api/rest) is the view `default` ("plain (deprecated)"), the JSON:API `rest_json_api`.
//   A token without `default` gets 403 there (EventListener/OldApiAccessRequestListener), one without
//   `rest_json_api` is refused on the JSON:API (Api/Processor/ValidateAccessByOAuth2Token).
import type Database from 'better-sqlite3';
import type { Response } from '../common/http';
import { DEMO_OAUTH_CLIENT_ID, DEMO_PASSWORD_CLIENT } from '../demo-data';
import { OAuthError } from './auth';
import { errorOf } from './jsonapi';
import { legacyError } from './entities/legacy';

export type GrantType = 'authorization_code' | 'password' | 'client_credentials';
/** Oro's API views: the JSON:API and the legacy REST API. */
export type ApiView = 'rest_json_api' | 'default';

export interface OAuthApplication {
  clientId: string;
  name: string;
  grant: GrantType;
  /** Null for a public application (authorization_code only). */
  secret: string | null;
  /** null = all APIs. */
  apis: ApiView[] | null;
  active?: boolean;
  /** A client_credentials application acts as one user, its owner (Oro's "Backoffice" application form). */
  ownerUserId?: number;
}

interface ClientRow {
  client_id: string;
  secret: string | null;
  active: number;
  grant_type: GrantType;
  apis: string;
  owner_user_id: number | null;
}

const ALL_APIS = '*';

export function migrateOAuthClients(db: Database.Database): void {
  const columns = new Set((db.prepare('PRAGMA table_info(oauth_clients)').all() as Array<{ name: string }>).map((c) => c.name));
  // A database from before applications had a grant: its one client is the add-in's public one.
  if (!columns.has('grant_type')) db.exec("ALTER TABLE oauth_clients ADD COLUMN grant_type TEXT NOT NULL DEFAULT 'authorization_code'");
  if (!columns.has('apis')) db.exec(`ALTER TABLE oauth_clients ADD COLUMN apis TEXT NOT NULL DEFAULT '${ALL_APIS}'`);
  if (!columns.has('owner_user_id')) db.exec('ALTER TABLE oauth_clients ADD COLUMN owner_user_id INTEGER REFERENCES users(id)');
}

/** Adds an application the way Oro's form allows one: a public application must use authorization_code. */
export function addOAuthApplication(db: Database.Database, app: OAuthApplication): void {
  if (app.secret === null && app.grant !== 'authorization_code') throw new Error(`A ${app.grant} application is always confidential in Oro: it needs a secret.`);
  if ((app.grant === 'client_credentials') !== (app.ownerUserId !== undefined)) throw new Error('A client_credentials application, and only one, acts as an owner user.');
  db.prepare('INSERT OR REPLACE INTO oauth_clients (client_id, secret, active, name, grant_type, apis, owner_user_id) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    app.clientId,
    app.secret,
    app.active === false ? 0 : 1,
    app.name,
    app.grant,
    app.apis === null ? ALL_APIS : app.apis.join(','),
    app.ownerUserId ?? null,
  );
}

/** The demo applications: the add-in's (authorization code + PKCE, public) and the headless runner's (password, confidential). */
export function seedOAuthApplications(db: Database.Database): void {
  const has = (id: string) => db.prepare('SELECT 1 FROM oauth_clients WHERE client_id = ?').get(id) !== undefined;
  if (!has(DEMO_OAUTH_CLIENT_ID)) addOAuthApplication(db, { clientId: DEMO_OAUTH_CLIENT_ID, name: 'OroCRM Sync for Outlook', grant: 'authorization_code', secret: null, apis: null });
  if (!has(DEMO_PASSWORD_CLIENT.id)) {
    addOAuthApplication(db, { clientId: DEMO_PASSWORD_CLIENT.id, name: 'OroCRM Sync for Outlook (headless runner)', grant: 'password', secret: DEMO_PASSWORD_CLIENT.secret, apis: null });
  }
}

export const invalidClient = () => new OAuthError(401, 'invalid_client', 'Client authentication failed');

function clientRow(db: Database.Database, clientId: string): ClientRow | undefined {
  return db.prepare('SELECT client_id, secret, active, grant_type, apis, owner_user_id FROM oauth_clients WHERE client_id = ?').get(clientId) as ClientRow | undefined;
}

function supportsGrant(client: ClientRow, grant: string): boolean {
  if (grant === 'refresh_token') return client.grant_type === 'password' || client.grant_type === 'authorization_code';
  return client.grant_type === grant;
}

/** ClientRepository::validateClient: throws `invalid_client` unless the application may use `grant` with this secret. */
export function validateClient(db: Database.Database, clientId: string, secret: string | undefined, grant: string): { confidential: boolean; ownerUserId: number | null } {
  const client = clientRow(db, clientId);
  if (!client || !client.active || !supportsGrant(client, grant)) throw invalidClient();
  if (client.secret !== null && client.secret !== secret) throw invalidClient();
  return { confidential: client.secret !== null, ownerUserId: client.owner_user_id };
}

/** For the authorize page: the application exists, is active, and is an authorization_code one. */
export function authorizationCodeClient(db: Database.Database, clientId: string): { confidential: boolean } {
  const client = clientRow(db, clientId);
  if (!client || !client.active || client.grant_type !== 'authorization_code') throw invalidClient();
  return { confidential: client.secret !== null };
}

const DENIED = 'This API is not accessible via the current OAuth2 token.';

/** Null when the token's application may use the API of `path`; otherwise Oro's refusal. */
export function apiAccessRefusal(db: Database.Database, clientId: string, path: string): Response | null {
  const client = clientRow(db, clientId);
  if (!client || client.apis === ALL_APIS) return null;
  const allowed = client.apis.split(',');
  if (/^\/api\/rest(\/|$)/.test(path)) return allowed.includes('default') ? null : legacyError(403, DENIED);
  return allowed.includes('rest_json_api') ? null : errorOf(401, 'authentication exception', DENIED);
}
