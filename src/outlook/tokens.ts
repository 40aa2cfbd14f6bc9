// Graph access tokens. The add-in gets real ones from MSAL (a GraphTokenSource wrapping it comes later);
// GraphPasswordTokens serves development and tests against the emulator's token endpoint, which answers
// the identity platform's shape {token_type, access_token, expires_in}.
import { z } from 'zod';
import { postForm } from '../http/form-post';
import { AuthenticationError, MalformedResponseError, ServiceUnavailableError } from '../sync/errors';
import type { FetchLike, GraphTokenSource } from './graph-http';

export const DEFAULT_GRAPH_SCOPES = 'https://graph.microsoft.com/Contacts.ReadWrite https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/Tasks.ReadWrite offline_access';

const tokenSchema = z.object({
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});

export interface GraphPasswordTokensOptions {
  /** e.g. `http://127.0.0.1:4001/common/oauth2/v2.0/token`. */
  tokenUrl: string;
  username: string;
  password: string;
  scope?: string;
  clientId?: string;
  fetch?: FetchLike;
  now?: () => number;
}

/** One token endpoint, one form per token: the cache, renewal and error mapping every grant shares. */
abstract class GraphFormTokens implements GraphTokenSource {
  private cached: { token: string; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;

  constructor(private readonly endpoint: { tokenUrl: string; fetch?: FetchLike; now?: () => number }) {
    this.fetchImpl = endpoint.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = endpoint.now ?? Date.now;
  }

  protected abstract form(): Record<string, string>;

  async accessToken(): Promise<string> {
    // Renew a minute early so a token does not expire in flight.
    if (this.cached && this.cached.expiresAt - 60_000 > this.now()) return this.cached.token;
    return this.refresh();
  }

  refresh(): Promise<string> {
    this.inflight ??= this.fetchToken().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async fetchToken(): Promise<string> {
    const tokenUrl = this.endpoint.tokenUrl;
    const res = await postForm(this.fetchImpl, tokenUrl, this.form(), `The Graph token endpoint ${tokenUrl}`);
    // A throttled sign-in is a wait, not refused credentials (as for the CRM's token endpoint).
    if (res.status >= 500 || res.status === 429) throw new ServiceUnavailableError(`The Graph token endpoint answered ${res.status}.`);
    if (!res.ok) {
      const desc = (res.body as { error_description?: unknown } | undefined)?.error_description;
      throw new AuthenticationError(`Graph sign-in failed (${res.status})${typeof desc === 'string' ? `: ${desc}` : ''}`);
    }
    const parsed = tokenSchema.safeParse(res.body);
    if (!parsed.success) throw new MalformedResponseError('The Graph token endpoint answered a body we cannot read.');
    this.cached = { token: parsed.data.access_token, expiresAt: this.now() + parsed.data.expires_in * 1000 };
    return parsed.data.access_token;
  }
}

/** Resource-owner password grant; for the emulator only (real tenants should not allow it). */
export class GraphPasswordTokens extends GraphFormTokens {
  constructor(private readonly options: GraphPasswordTokensOptions) {
    super(options);
  }

  protected form(): Record<string, string> {
    const form: Record<string, string> = {
      grant_type: 'password',
      username: this.options.username,
      password: this.options.password,
      scope: this.options.scope ?? DEFAULT_GRAPH_SCOPES,
    };
    if (this.options.clientId) form.client_id = this.options.clientId;
    return form;
  }
}

/** The one scope an app-only token request names: every application permission consented for Graph. */
export const GRAPH_APP_SCOPE = 'https://graph.microsoft.com/.default';

export interface GraphClientCredentialsOptions {
  /** Microsoft Entra ID: `https://login.microsoftonline.com`; the emulator: its origin. */
  authority: string;
  /** Tenant id (GUID) or domain; never `common` (client credentials need a tenant). */
  tenant: string;
  clientId: string;
  clientSecret: string;
  fetch?: FetchLike;
  now?: () => number;
}

/**
 * App-only tokens for the sync server: the client credentials grant (microsoft-graph-docs-contrib
 * concepts/auth-v2-service.md). No refresh token: a new token is simply requested again.
 */
export class GraphClientCredentialsTokens extends GraphFormTokens {
  constructor(private readonly options: GraphClientCredentialsOptions) {
    super({ tokenUrl: clientCredentialsTokenUrl(options.authority, options.tenant), fetch: options.fetch, now: options.now });
  }

  protected form(): Record<string, string> {
    return { grant_type: 'client_credentials', client_id: this.options.clientId, client_secret: this.options.clientSecret, scope: GRAPH_APP_SCOPE };
  }
}

export function clientCredentialsTokenUrl(authority: string, tenant: string): string {
  return `${authority.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
}
