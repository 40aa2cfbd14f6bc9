// Oro's OAuth2 token endpoint (oro-api.md §6) and Bearer authentication.
// Grants: password, refresh_token (rotating) and client_credentials (authorization_code + PKCE is in
// authorize.ts). A client credentials application belongs to one back-office user (Oro's Client
// ownerEntityClass/ownerEntityId; doc.oroinc.com user/back-office/system/user-management/oauth-app):
// its tokens act as that user, with that user's roles, and come without refresh token (oro-api.md §6).
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Request, Response, Router } from '../common/http';
import type { CrmUser } from './context';
import { hashPassword } from './db';
import { invalidClient, validateClient } from './oauth-clients';

export const ACCESS_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_SECONDS = 2_592_000;

interface OAuthErrorBody {
  error: string;
  error_description: string;
  message: string;
  hint?: string;
}

/** An OAuth error answer in league/oauth2-server's shape; the authorize endpoint throws it too. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly hint?: string,
  ) {
    super(description);
  }

  toResponse(): Response {
    const body: OAuthErrorBody = { error: this.error, error_description: this.description, message: this.description };
    if (this.hint) body.hint = this.hint;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.error === 'invalid_client') headers['WWW-Authenticate'] = 'Basic realm="OAuth"';
    return { status: this.status, headers, body };
  }
}

// The league/oauth2-server wording Oro's tests assert (oro-api.md §6).
const INVALID_REQUEST = 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';
const missing = (param: string) => new OAuthError(400, 'invalid_request', INVALID_REQUEST, `Check the \`${param}\` parameter`);
const badRefresh = (hint: string) => new OAuthError(401, 'invalid_request', 'The refresh token is invalid.', hint);

interface TokenPair {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token: string;
}

interface UserRow {
  id: number;
  username: string;
  password_salt: string;
  password_hash: string;
  organization_id: number;
  is_admin: number;
  enabled: number;
  locked: number;
}

export class OAuthServer {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {}

  register(router: Router): void {
    router.on('POST', '/oauth2-token', (req) => this.tokenEndpoint(req));
  }

  /** The user behind `Authorization: Bearer <token>`; a token in the query string is never accepted. */
  authenticate(req: Request): (CrmUser & { clientId: string }) | null {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    const row = this.db
      .prepare(
        `SELECT u.id, u.username, u.organization_id, u.is_admin, u.enabled, u.locked, t.expires_at, t.revoked, t.client_id
         FROM oauth_access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token = ?`,
      )
      .get(m[1]) as (UserRow & { expires_at: number; revoked: number; client_id: string }) | undefined;
    if (!row || row.revoked || row.expires_at <= this.now().getTime() || !row.enabled || row.locked) return null;
    return { id: row.id, username: row.username, organizationId: row.organization_id, isAdmin: row.is_admin === 1, clientId: row.client_id };
  }

  tokenEndpoint(req: Request): Response {
    try {
      return { status: 200, headers: { 'Content-Type': 'application/json; charset=UTF-8', 'Cache-Control': 'no-store' }, body: this.grant(readParams(req)) };
    } catch (error) {
      if (error instanceof OAuthError) return error.toResponse();
      throw error;
    }
  }

  private grant(params: Record<string, string>): TokenPair | Omit<TokenPair, 'refresh_token'> {
    const grantType = params.grant_type;
    if (grantType !== 'password' && grantType !== 'refresh_token' && grantType !== 'client_credentials') {
      throw new OAuthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.', 'Check that all required parameters have been provided');
    }
    const client = this.client(params);
    if (grantType === 'client_credentials') return this.clientCredentialsGrant(client);
    return grantType === 'password' ? this.passwordGrant(client.clientId, params) : this.refreshGrant(client.clientId, params);
  }

  /** The application must have this grant, and a confidential one must send its secret (oauth-clients.ts). */
  private client(params: Record<string, string>): { clientId: string; ownerUserId: number | null } {
    const clientId = params.client_id;
    if (!clientId) throw missing('client_id');
    const { ownerUserId } = validateClient(this.db, clientId, params.client_secret, params.grant_type);
    return { clientId, ownerUserId };
  }

  /** The application's own user; a disabled or locked owner makes the client unusable (Oro's ClientOwnerValidator). */
  private clientCredentialsGrant(client: { clientId: string; ownerUserId: number | null }): Omit<TokenPair, 'refresh_token'> {
    const owner = client.ownerUserId === null ? undefined : (this.db.prepare('SELECT * FROM users WHERE id = ?').get(client.ownerUserId) as UserRow | undefined);
    if (!owner || !owner.enabled || owner.locked) throw invalidClient();
    return this.issue(owner.id, client.clientId, false);
  }

  private passwordGrant(clientId: string, params: Record<string, string>): TokenPair {
    if (!params.username) throw missing('username');
    if (!params.password) throw missing('password');
    const user = this.db.prepare('SELECT * FROM users WHERE username = ?').get(params.username) as UserRow | undefined;
    if (!user || hashPassword(params.password, user.password_salt) !== user.password_hash) {
      throw new OAuthError(400, 'invalid_grant', 'The user credentials were incorrect.');
    }
    if (user.locked) throw new OAuthError(400, 'invalid_grant', 'The user credentials were incorrect.', 'Account is locked.');
    if (!user.enabled) throw new OAuthError(400, 'invalid_grant', 'The user credentials were incorrect.', 'Account is disabled.');
    return this.issue(user.id, clientId);
  }

  /** Rotation: the presented refresh token and its access token are revoked, a new pair is issued. */
  private refreshGrant(clientId: string, params: Record<string, string>): TokenPair {
    if (!params.refresh_token) throw missing('refresh_token');
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM oauth_refresh_tokens WHERE token = ?').get(params.refresh_token) as
        | { token: string; access_token: string; user_id: number; client_id: string; expires_at: number; revoked: number }
        | undefined;
      if (!row) throw badRefresh('Cannot decrypt the refresh token');
      if (row.client_id !== clientId) throw badRefresh('Token is not linked to client');
      if (row.expires_at <= this.now().getTime()) throw badRefresh('Token has expired');
      if (row.revoked) throw badRefresh('Token has been revoked');
      this.db.prepare('UPDATE oauth_refresh_tokens SET revoked = 1 WHERE token = ?').run(row.token);
      this.db.prepare('UPDATE oauth_access_tokens SET revoked = 1 WHERE token = ?').run(row.access_token);
      return this.issue(row.user_id, clientId);
    })();
  }

  private issue(userId: number, clientId: string): TokenPair;
  private issue(userId: number, clientId: string, withRefresh: false): Omit<TokenPair, 'refresh_token'>;
  private issue(userId: number, clientId: string, withRefresh = true): TokenPair | Omit<TokenPair, 'refresh_token'> {
    const now = this.now().getTime();
    const access = randomToken();
    this.db.prepare('INSERT INTO oauth_access_tokens (token, user_id, client_id, expires_at) VALUES (?, ?, ?, ?)').run(access, userId, clientId, now + ACCESS_TOKEN_SECONDS * 1000);
    if (!withRefresh) return { token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, access_token: access };
    const refresh = randomToken();
    this.db
      .prepare('INSERT INTO oauth_refresh_tokens (token, access_token, user_id, client_id, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(refresh, access, userId, clientId, now + REFRESH_TOKEN_SECONDS * 1000);
    return { token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, access_token: access, refresh_token: refresh };
  }
}

/** Opaque tokens; real Oro issues RS256 JWTs, but clients must treat them as opaque anyway. */
function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Form-urlencoded or JSON body (oro-api.md §6), plus client credentials from `Authorization: Basic`. */
function readParams(req: Request): Record<string, string> {
  const params: Record<string, string> = {};
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const text = req.rawBody.trim();
  if (type.includes('json') || text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OAuthError(400, 'invalid_request', INVALID_REQUEST, 'The request body is not valid JSON');
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string' || typeof v === 'number') params[k] = String(v);
    }
  } else {
    for (const [k, v] of new URLSearchParams(text)) params[k] = v;
  }
  const basic = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      params.client_id ??= decodeURIComponent(decoded.slice(0, colon));
      params.client_secret ??= decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  return params;
}
