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

/** Resource-owner password grant; for the emulator only (real tenants should not allow it). */
export class GraphPasswordTokens implements GraphTokenSource {
  private cached: { token: string; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;

  constructor(private readonly options: GraphPasswordTokensOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
  }

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
    const form: Record<string, string> = {
      grant_type: 'password',
      username: this.options.username,
      password: this.options.password,
      scope: this.options.scope ?? DEFAULT_GRAPH_SCOPES,
    };
    if (this.options.clientId) form.client_id = this.options.clientId;
    const res = await postForm(this.fetchImpl, this.options.tokenUrl, form, `The Graph token endpoint ${this.options.tokenUrl}`);
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
