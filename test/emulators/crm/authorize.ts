// Oro's authorization-code flow with PKCE (oro-api.md §6): GET /oauth2-token/authorize shows a login
// page (consent skipped, as with Oro's "Skip User Consent"), POST of that form answers 302 to
// redirect_uri with ?code=…&state=… or ?error=access_denied…, and the token endpoint's
// authorization_code grant checks the S256 verifier, expiry (600 s on the emulator's clock) and single use.
// Tokens land in the same tables as auth.ts's, so its refresh_token grant (with rotation) serves them.
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Handler, Request, Response, Router } from '../common/http';
import { ACCESS_TOKEN_SECONDS, OAuthError, REFRESH_TOKEN_SECONDS } from './auth';
import { authorizationCodeClient, validateClient } from './oauth-clients';
import { hashPassword } from './db';

export const AUTHORIZATION_CODE_SECONDS = 600;
export const AUTHORIZE_PATH = '/oauth2-token/authorize';

export interface AuthorizeOptions {
  /** Redirect URIs the add-in's client may use; by default any http(s) URL on localhost/127.0.0.1 (dev and tests). */
  redirectUris?: string[];
}

/** Creates the table of issued codes; idempotent. */
export function migrateAuthorize(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS oauth_auth_codes (
      code TEXT PRIMARY KEY,
      client_id TEXT NOT NULL,
      user_id INTEGER NOT NULL REFERENCES users(id),
      redirect_uri TEXT NOT NULL,
      code_challenge TEXT NOT NULL,
      expires_at INTEGER NOT NULL,   -- ms since epoch
      used INTEGER NOT NULL DEFAULT 0,
      access_token TEXT              -- issued from this code; revoked if the code is replayed
    );
  `);
}

// league/oauth2-server's wording, as Oro answers it (oro-api.md §6).
const INVALID_REQUEST = 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';
const INVALID_GRANT =
  'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';

const invalidRequest = (hint: string) => new OAuthError(400, 'invalid_request', INVALID_REQUEST, hint);
const missing = (param: string) => invalidRequest(`Check the \`${param}\` parameter`);
const invalidClient = () => new OAuthError(401, 'invalid_client', 'Client authentication failed');
const invalidGrant = (hint: string) => new OAuthError(400, 'invalid_grant', INVALID_GRANT, hint);

/** What an authorize request asks for, validated. */
interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string | null;
}

interface UserRow {
  id: number;
  password_salt: string;
  password_hash: string;
  enabled: number;
  locked: number;
}

interface CodeRow {
  code: string;
  client_id: string;
  user_id: number;
  redirect_uri: string;
  code_challenge: string;
  expires_at: number;
  used: number;
  access_token: string | null;
}

/** RFC 7636 §4.1: 43–128 unreserved characters; an S256 challenge is 43 base64url characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export class AuthorizationEndpoint {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
    private readonly options: AuthorizeOptions = {},
  ) {
    migrateAuthorize(db);
  }

  /**
   * Registers the authorize page and a token endpoint that serves grant_type=authorization_code itself
   * and hands every other grant to `otherGrants` (auth.ts's endpoint). Register before auth.ts's route.
   */
  register(router: Router, otherGrants: Handler): void {
    router.on('GET', AUTHORIZE_PATH, (req) => this.authorizePage(req));
    router.on('POST', AUTHORIZE_PATH, (req) => this.authorizeSubmit(req));
    router.on('POST', '/oauth2-token', (req) => {
      const params = readTokenParams(req);
      if (params?.grant_type !== 'authorization_code') return otherGrants(req);
      return this.tokenResponse(params);
    });
  }

  private authorizePage(req: Request): Response {
    try {
      const request = this.validate(Object.fromEntries(req.url.searchParams));
      return loginPage(request, null);
    } catch (error) {
      if (error instanceof OAuthError) return error.toResponse();
      throw error;
    }
  }

  private authorizeSubmit(req: Request): Response {
    const form = Object.fromEntries(new URLSearchParams(req.rawBody));
    let request: AuthorizeRequest;
    try {
      request = this.validate(form);
    } catch (error) {
      if (error instanceof OAuthError) return error.toResponse();
      throw error;
    }
    if (form.action === 'deny') {
      const description = 'The resource owner or authorization server denied the request.';
      return redirect(request.redirectUri, {
        error: 'access_denied',
        error_description: description,
        hint: 'The user denied the request',
        message: description,
        state: request.state,
      });
    }
    const user = this.db.prepare('SELECT id, password_salt, password_hash, enabled, locked FROM users WHERE username = ?').get(form.username ?? '') as
      | UserRow
      | undefined;
    if (!user || hashPassword(form.password ?? '', user.password_salt) !== user.password_hash) return loginPage(request, 'Invalid user name or password.');
    if (user.locked) return loginPage(request, 'Account is locked.');
    if (!user.enabled) return loginPage(request, 'Account is disabled.');
    const code = crypto.randomBytes(32).toString('base64url');
    this.db
      .prepare('INSERT INTO oauth_auth_codes (code, client_id, user_id, redirect_uri, code_challenge, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(code, request.clientId, user.id, request.redirectUri, request.codeChallenge, this.now().getTime() + AUTHORIZATION_CODE_SECONDS * 1000);
    return redirect(request.redirectUri, { code, state: request.state });
  }

  /** Checks an authorize request the way league does, client and redirect first (errors then can't be redirected). */
  private validate(params: Record<string, string>): AuthorizeRequest {
    const clientId = params.client_id;
    if (!clientId) throw missing('client_id');
    const client = authorizationCodeClient(this.db, clientId);
    const redirectUri = params.redirect_uri;
    if (!redirectUri) throw missing('redirect_uri');
    if (!this.allowedRedirect(redirectUri)) throw invalidClient();
    if (params.response_type !== 'code') {
      throw new OAuthError(400, 'unsupported_response_type', 'The authorization server does not support obtaining an authorization code using this method.', 'Check the `response_type` parameter');
    }
    const challenge = params.code_challenge;
    if (!challenge) {
      // Oro requires PKCE from public clients (oro-api.md §6); the add-in is one.
      if (!client.confidential) throw invalidRequest('Code challenge must be provided for public clients');
      throw missing('code_challenge');
    }
    if ((params.code_challenge_method ?? 'plain') !== 'S256') throw invalidRequest('Code challenge method must be `S256`');
    if (!S256_CHALLENGE.test(challenge)) throw invalidRequest('Code challenge must follow the specifications of RFC-7636.');
    return { clientId, redirectUri, codeChallenge: challenge, state: params.state ? params.state : null };
  }

  private allowedRedirect(uri: string): boolean {
    if (this.options.redirectUris) return this.options.redirectUris.includes(uri);
    try {
      const url = new URL(uri);
      return (url.protocol === 'http:' || url.protocol === 'https:') && (url.hostname === 'localhost' || url.hostname === '127.0.0.1') && !url.hash;
    } catch {
      return false;
    }
  }

  private tokenResponse(params: Record<string, string>): Response {
    try {
      return { status: 200, headers: { 'Content-Type': 'application/json; charset=UTF-8', 'Cache-Control': 'no-store' }, body: this.exchange(params) };
    } catch (error) {
      if (error instanceof OAuthError) return error.toResponse();
      throw error;
    }
  }

  /** The authorization_code grant. A replayed code fails and revokes what the first exchange issued (RFC 6749 §4.1.2). */
  private exchange(params: Record<string, string>) {
    const clientId = params.client_id;
    if (!clientId) throw missing('client_id');
    validateClient(this.db, clientId, params.client_secret, 'authorization_code');
    if (!params.code) throw missing('code');
    if (!params.redirect_uri) throw missing('redirect_uri');
    const issued = this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM oauth_auth_codes WHERE code = ?').get(params.code) as CodeRow | undefined;
      if (!row) throw invalidRequest('Cannot decrypt the authorization code');
      if (row.used) {
        // Revoke, then answer; throwing inside the transaction would roll the revocation back.
        if (row.access_token) this.revokeIssuedFrom(row.access_token);
        return null;
      }
      if (row.expires_at <= this.now().getTime()) throw invalidRequest('Authorization code has expired');
      if (row.client_id !== clientId) throw invalidRequest('Authorization code was not issued to this client');
      if (row.redirect_uri !== params.redirect_uri) throw invalidClient();
      const verifier = params.code_verifier;
      if (!verifier) throw missing('code_verifier');
      if (!VERIFIER.test(verifier)) throw invalidRequest('Code Verifier must follow the specifications of RFC-7636.');
      const expected = crypto.createHash('sha256').update(verifier, 'ascii').digest('base64url');
      if (expected !== row.code_challenge) throw invalidGrant('Failed to verify `code_verifier`.');
      const pair = this.issue(row.user_id, clientId);
      this.db.prepare('UPDATE oauth_auth_codes SET used = 1, access_token = ? WHERE code = ?').run(pair.access_token, row.code);
      return pair;
    })();
    if (!issued) throw invalidRequest('Authorization code has been revoked');
    return issued;
  }

  private revokeIssuedFrom(accessToken: string): void {
    this.db.prepare('UPDATE oauth_access_tokens SET revoked = 1 WHERE token = ?').run(accessToken);
    this.db.prepare('UPDATE oauth_refresh_tokens SET revoked = 1 WHERE access_token = ?').run(accessToken);
  }

  /** Same rows as auth.ts's issue(), so Bearer checks and the refresh grant treat these tokens alike. */
  private issue(userId: number, clientId: string) {
    const now = this.now().getTime();
    const access = crypto.randomBytes(32).toString('base64url');
    const refresh = crypto.randomBytes(32).toString('base64url');
    this.db.prepare('INSERT INTO oauth_access_tokens (token, user_id, client_id, expires_at) VALUES (?, ?, ?, ?)').run(access, userId, clientId, now + ACCESS_TOKEN_SECONDS * 1000);
    this.db
      .prepare('INSERT INTO oauth_refresh_tokens (token, access_token, user_id, client_id, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(refresh, access, userId, clientId, now + REFRESH_TOKEN_SECONDS * 1000);
    return { token_type: 'Bearer' as const, expires_in: ACCESS_TOKEN_SECONDS, access_token: access, refresh_token: refresh };
  }
}

/** Token-endpoint parameters from a form or JSON body; null when the body is unreadable (auth.ts then answers). */
function readTokenParams(req: Request): Record<string, string> | null {
  const text = req.rawBody.trim();
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('json') || text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string' || typeof v === 'number') params[k] = String(v);
      return params;
    } catch {
      return null;
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function redirect(redirectUri: string, params: Record<string, string | null>): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return { status: 302, headers: { Location: url.toString(), 'Cache-Control': 'no-store' } };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Oro's login form, reduced: the authorize parameters travel as hidden fields. */
function loginPage(request: AuthorizeRequest, error: string | null): Response {
  const hidden = {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
    state: request.state ?? '',
  };
  const fields = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
    .join('\n      ');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Login - OroCRM (emulator)</title></head>
<body>
  <h1>Login</h1>
  ${error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="${AUTHORIZE_PATH}">
      ${fields}
    <label>Username <input name="username" autocomplete="username"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password"></label>
    <button type="submit" name="action" value="login">Log in</button>
    <button type="submit" name="action" value="deny">Cancel</button>
  </form>
</body></html>`;
  return { status: 200, headers: { 'Content-Type': 'text/html; charset=UTF-8', 'Cache-Control': 'no-store' }, body: html };
}

/**
 * GET /api/userprofile: the signed-in user (Oro's "userprofile" JSON:API resource: type `userprofile`, id =
 * the user's id; oroinc/platform UserBundle api.yml and Tests/Functional/Api/RestJsonApi/UserProfileTest).
 * The pane names the user with it, and the sync takes the owner id for its filters from it.
 */
export function registerUserProfileRoute(router: Router, db: Database.Database, authenticate: (req: Request) => { id: number } | null): void {
  router.on('GET', '/api/userprofile', (req) => {
    const user = authenticate(req);
    if (!user) return { status: 401 };
    const row = db.prepare('SELECT id, username, first_name, last_name, email FROM users WHERE id = ?').get(user.id) as
      | { id: number; username: string; first_name: string | null; last_name: string | null; email: string | null }
      | undefined;
    if (!row) return { status: 401 };
    return {
      status: 200,
      headers: { 'Content-Type': 'application/vnd.api+json' },
      body: { data: { type: 'userprofile', id: String(row.id), attributes: { username: row.username, firstName: row.first_name, lastName: row.last_name, email: row.email } } },
    };
  });
}
