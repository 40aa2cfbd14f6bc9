// Delegated Graph tokens for the headless runner against a real Microsoft 365 tenant: the identity
// platform's device authorization grant (MicrosoftDocs/entra-docs docs/identity-platform/
// v2-oauth2-device-code.md; RFC 8628). The runner prints Microsoft's message (open the verification
// page, enter the code), polls the token endpoint at the interval it was given, and then renews with the
// refresh token (scope offline_access), keeping the rotated one. The refresh token stays in memory:
// the password flow stores nothing either, so a restarted runner signs in again.
import { z } from 'zod';
import { postForm } from '../http/form-post';
import { AuthenticationError, MalformedResponseError, ServiceUnavailableError } from '../sync/errors';
import type { FetchLike, GraphTokenSource } from './graph-http';
import { DEFAULT_GRAPH_SCOPES } from './tokens';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const deviceCodeSchema = z.object({
  device_code: z.string().min(1),
  user_code: z.string().min(1),
  verification_uri: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  interval: z.coerce.number().positive().optional(),
  message: z.string().optional(),
});

const tokenSchema = z.object({
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().min(1).optional(),
});

export interface DeviceCodePrompt {
  message: string;
  verificationUri: string;
  userCode: string;
  expiresInSeconds: number;
}

export interface GraphDeviceCodeOptions {
  /** `https://login.microsoftonline.com` (or the emulator's origin). */
  authority: string;
  /** A tenant id or domain, or `organizations` / `common`. */
  tenant: string;
  /** The app registration's client id; it must allow public client flows. */
  clientId: string;
  scope?: string;
  /** Shows the user what to do (the runner prints it). */
  prompt(p: DeviceCodePrompt): void;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Why a device-code sign-in ended without a token, in words for the person at the terminal. */
const TERMINAL: Record<string, string> = {
  authorization_declined: 'the sign-in was declined on the verification page',
  expired_token: 'the code expired before anyone signed in with it; run again to get a new one',
  bad_verification_code: 'Microsoft did not recognise the device code',
};

export class GraphDeviceCodeTokens implements GraphTokenSource {
  private cached: { token: string; expiresAt: number } | null = null;
  private refreshToken: string | null = null;
  private inflight: Promise<string> | null = null;
  private readonly fetchImpl: FetchLike;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly base: string;

  constructor(private readonly options: GraphDeviceCodeOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
    this.base = `${options.authority.replace(/\/+$/, '')}/${encodeURIComponent(options.tenant)}/oauth2/v2.0`;
  }

  async accessToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt - 60_000 > this.now()) return this.cached.token;
    return this.refresh();
  }

  /** The first call signs in with a device code; later ones renew with the refresh token. */
  refresh(): Promise<string> {
    this.inflight ??= (this.refreshToken ? this.renew(this.refreshToken) : this.signIn()).finally(() => (this.inflight = null));
    return this.inflight;
  }

  private get scope(): string {
    const scope = this.options.scope ?? DEFAULT_GRAPH_SCOPES;
    // Without offline_access there is no refresh token, and every hour would need a new sign-in.
    return scope.split(/\s+/).includes('offline_access') ? scope : `${scope} offline_access`;
  }

  private async signIn(): Promise<string> {
    const res = await postForm(this.fetchImpl, `${this.base}/devicecode`, { client_id: this.options.clientId, scope: this.scope }, 'The Microsoft sign-in endpoint');
    if (res.status >= 500 || res.status === 429) throw new ServiceUnavailableError(`The Microsoft devicecode endpoint answered ${res.status}.`);
    if (!res.ok) throw new AuthenticationError(`Microsoft refused the device code sign-in (${res.status})${describe(res.body)}`);
    const parsed = deviceCodeSchema.safeParse(res.body);
    if (!parsed.success) throw new MalformedResponseError('The Microsoft devicecode endpoint answered a body we cannot read.');
    const code = parsed.data;
    this.options.prompt({
      message: code.message ?? `To sign in, open ${code.verification_uri} and enter the code ${code.user_code}.`,
      verificationUri: code.verification_uri,
      userCode: code.user_code,
      expiresInSeconds: code.expires_in,
    });
    // RFC 8628 §3.5: wait `interval` (5 s if absent) between polls, 5 s more after each slow_down.
    let intervalMs = (code.interval ?? 5) * 1000;
    const deadline = this.now() + code.expires_in * 1000;
    for (;;) {
      await this.sleep(intervalMs);
      const poll = await postForm(this.fetchImpl, `${this.base}/token`, { grant_type: DEVICE_CODE_GRANT, client_id: this.options.clientId, device_code: code.device_code }, 'The Microsoft token endpoint');
      if (poll.ok) return this.keep(poll.body);
      const error = (poll.body as { error?: unknown } | undefined)?.error;
      if (error === 'authorization_pending') {
        if (this.now() < deadline) continue;
        throw new AuthenticationError(`Graph sign-in with a device code failed: ${TERMINAL.expired_token}.`);
      }
      if (error === 'slow_down') {
        intervalMs += 5000;
        continue;
      }
      if (poll.status >= 500 || poll.status === 429) {
        // A passing outage while the person signs in: keep polling until the code expires.
        if (this.now() < deadline) continue;
        throw new ServiceUnavailableError(`The Microsoft token endpoint answered ${poll.status}.`);
      }
      const why = typeof error === 'string' && TERMINAL[error] ? TERMINAL[error] : `Microsoft answered ${poll.status}${describe(poll.body)}`;
      throw new AuthenticationError(`Graph sign-in with a device code failed: ${why}.`);
    }
  }

  private async renew(refreshToken: string): Promise<string> {
    const res = await postForm(this.fetchImpl, `${this.base}/token`, { grant_type: 'refresh_token', client_id: this.options.clientId, refresh_token: refreshToken, scope: this.scope }, 'The Microsoft token endpoint');
    if (res.status >= 500 || res.status === 429) throw new ServiceUnavailableError(`The Microsoft token endpoint answered ${res.status}.`);
    if (!res.ok) {
      this.refreshToken = null; // the next attempt starts a new device-code sign-in
      throw new AuthenticationError(`Graph refused the refresh token (${res.status})${describe(res.body)}; sign in again with a new device code.`);
    }
    return this.keep(res.body);
  }

  private keep(body: unknown): string {
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) throw new MalformedResponseError('The Microsoft token endpoint answered a body we cannot read.');
    this.cached = { token: parsed.data.access_token, expiresAt: this.now() + parsed.data.expires_in * 1000 };
    // Refresh tokens rotate: the newest one is the one to use next.
    if (parsed.data.refresh_token) this.refreshToken = parsed.data.refresh_token;
    return parsed.data.access_token;
  }
}

function describe(body: unknown): string {
  const desc = (body as { error_description?: unknown } | undefined)?.error_description;
  return typeof desc === 'string' ? `: ${desc.split(' Trace ID:')[0]}` : '';
}
