// Where the CRM client gets its Bearer tokens. The pane and the sync engine only see TokenSource;
// real sign-in (authorization code + PKCE) arrives later as another implementation.
import { z } from 'zod';
import { postForm } from '../http/form-post';
import { AuthenticationError, MalformedResponseError, ServiceUnavailableError } from '../sync/errors';

export interface TokenSource {
  /** A token believed valid now (may fetch or refresh one first). */
  accessToken(): Promise<string>;
  /** Forces a new token, e.g. after the server answered 401; throws AuthenticationError when that is impossible. */
  refresh(): Promise<string>;
  /** Optional: the CRM refused even the freshly refreshed token, so this session cannot be used (sign in again). */
  refused?(): void;
}

export type FetchLike = typeof globalThis.fetch;

/** The public OAuth client the add-in is registered as in Oro (authorization code + PKCE, no secret). */
export const OUTLOOK_ADDIN_CLIENT_ID = 'outlook-addin';

// oro-api.md §6: success body of POST /oauth2-token.
const tokenResponseSchema = z.object({
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: z.number().positive(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
});

// oro-api.md §6: error body {error, error_description, message, hint?}.
const tokenErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  message: z.string().optional(),
  hint: z.string().optional(),
});

export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** Joins a base URL and an absolute path without doubling slashes. */
export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

/** One POST to Oro's token endpoint; maps its answers onto typed errors. */
export async function requestToken(baseUrl: string, params: Record<string, string>, fetchImpl: FetchLike = globalThis.fetch): Promise<TokenResponse> {
  const res = await postForm(fetchImpl, joinUrl(baseUrl, '/oauth2-token'), params, `The CRM at ${baseUrl}`);
  if (res.ok) {
    const parsed = tokenResponseSchema.safeParse(res.body);
    if (!parsed.success) throw new MalformedResponseError(`The CRM's token endpoint answered an unreadable token: ${parsed.error.message}`);
    return parsed.data;
  }
  if (res.status >= 500 || res.status === 429) {
    throw new ServiceUnavailableError(`The CRM's token endpoint answered ${res.status}.`);
  }
  const err = tokenErrorSchema.safeParse(res.body);
  const why = err.success ? err.data.error_description ?? err.data.message ?? err.data.error : `HTTP ${res.status}`;
  // Oro answers invalid_client alike for a wrong id, a missing or wrong secret and a grant the application lacks.
  const client = err.success && err.data.error === 'invalid_client' ? ` (Oro refused the OAuth application "${params.client_id}": its client id or secret is wrong, or it was not created with the ${params.grant_type} grant)` : '';
  throw new AuthenticationError(`Sign-in to the CRM failed: ${why}${client}`);
}

export interface PasswordGrantOptions {
  baseUrl: string;
  username: string;
  password: string;
  /**
   * A password-grant OAuth application. Oro makes every application but an authorization_code one
   * confidential (oauth2-server Form/Type/AbstractClientType, Entity/Client), so it always has a secret.
   */
  clientId: string;
  clientSecret: string;
  fetch?: FetchLike;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Refresh this long before the token expires. */
  refreshMarginMs?: number;
}

/**
 * Dev and headless sign-in: the OAuth password grant (oro-api.md §6), then refresh-token grants.
 * Oro rotates refresh tokens, so the newest one is kept (in memory only) and the old one is dropped.
 */
export class PasswordGrantTokens implements TokenSource {
  private access: string | null = null;
  private refreshToken: string | null = null;
  private expiresAt = 0;
  private pending: Promise<string> | null = null;
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;
  private readonly margin: number;
  private readonly client: { client_id: string; client_secret: string };

  constructor(private readonly options: PasswordGrantOptions) {
    // Bound so a window.fetch default keeps its receiver.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? 60_000;
    this.client = { client_id: options.clientId, client_secret: options.clientSecret };
  }

  accessToken(): Promise<string> {
    if (this.access && this.now() < this.expiresAt - this.margin) return Promise.resolve(this.access);
    return this.refresh();
  }

  /** Concurrent callers share one token request. */
  refresh(): Promise<string> {
    if (!this.pending) {
      this.pending = this.obtain().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async obtain(): Promise<string> {
    if (this.refreshToken) {
      try {
        return this.keep(await requestToken(this.options.baseUrl, { grant_type: 'refresh_token', ...this.client, refresh_token: this.refreshToken }, this.fetchImpl));
      } catch (error) {
        // A refused refresh token (expired, already rotated) is not fatal: we still hold the password.
        if (!(error instanceof AuthenticationError)) throw error;
        this.refreshToken = null;
      }
    }
    return this.keep(
      await requestToken(
        this.options.baseUrl,
        { grant_type: 'password', ...this.client, username: this.options.username, password: this.options.password },
        this.fetchImpl,
      ),
    );
  }

  private keep(token: TokenResponse): string {
    this.access = token.access_token;
    this.refreshToken = token.refresh_token ?? this.refreshToken;
    this.expiresAt = this.now() + token.expires_in * 1000;
    return token.access_token;
  }
}

export interface ClientCredentialsOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: FetchLike;
  now?: () => number;
  refreshMarginMs?: number;
}

/**
 * The sync server's sign-in: Oro's client credentials grant (oro-api.md §6) for an OAuth application
 * owned by the integration user. No refresh token comes with it: a new token is simply requested.
 */
export class ClientCredentialsTokens implements TokenSource {
  private access: string | null = null;
  private expiresAt = 0;
  private pending: Promise<string> | null = null;
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;
  private readonly margin: number;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? 60_000;
  }

  accessToken(): Promise<string> {
    if (this.access && this.now() < this.expiresAt - this.margin) return Promise.resolve(this.access);
    return this.refresh();
  }

  refresh(): Promise<string> {
    this.pending ??= requestToken(this.options.baseUrl, { grant_type: 'client_credentials', client_id: this.options.clientId, client_secret: this.options.clientSecret }, this.fetchImpl)
      .then((token) => {
        this.access = token.access_token;
        this.expiresAt = this.now() + token.expires_in * 1000;
        return token.access_token;
      })
      .finally(() => (this.pending = null));
    return this.pending;
  }
}

/** A fixed token (tests, or a token obtained elsewhere); refresh is impossible. */
export class StaticTokens implements TokenSource {
  constructor(private readonly token: string) {}
  accessToken(): Promise<string> {
    return Promise.resolve(this.token);
  }
  refresh(): Promise<string> {
    return Promise.reject(new AuthenticationError('The CRM refused the access token and it cannot be refreshed; sign in again.'));
  }
}
