// Oro's authorization-code + PKCE flow, the wire side (oro-api.md §6): the authorize URL, the answer the
// dialog relays back, the code exchange, and the user the tokens belong to. No Office, no UI here.
import { z } from 'zod';
import type { CrmHttp } from '../crm/http';
import { joinUrl, OUTLOOK_ADDIN_CLIENT_ID, requestToken, type FetchLike, type TokenResponse } from '../crm/tokens';
import { AuthenticationError, MalformedResponseError } from '../sync/errors';

export const AUTHORIZE_PATH = '/oauth2-token/authorize';

/** Why the user has to sign in (again); each has its own message and a Sign-in button, never an automatic pop-up. */
export type SignInReason =
  | 'signed-out'
  | 'dialog-closed'
  | 'dialog-blocked'
  | 'consent-denied'
  | 'state-mismatch'
  | 'session-expired'
  | 'sign-in-failed';

export const SIGN_IN_MESSAGES: Record<SignInReason, string> = {
  'signed-out': 'Sign in to your CRM to start syncing.',
  'dialog-closed': 'The sign-in window was closed before sign-in finished. Select Sign in to try again.',
  'dialog-blocked': 'The sign-in window could not open. Allow pop-ups for Outlook, then select Sign in.',
  'consent-denied': 'Access was not granted in the CRM. Select Sign in and allow access to sync.',
  'state-mismatch': 'The sign-in answer did not match this request and was ignored. Select Sign in to try again.',
  'session-expired': 'Your CRM session has expired. Select Sign in to continue syncing.',
  'sign-in-failed': 'Signing in to the CRM failed. Select Sign in to try again.',
};

/** The user has to sign in; `reason` picks the message. Never retried automatically. */
export class SignInRequiredError extends AuthenticationError {
  constructor(
    readonly reason: SignInReason,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `${SIGN_IN_MESSAGES[reason]} (${detail})` : SIGN_IN_MESSAGES[reason], options);
  }
}

export interface AuthorizeParams {
  crmUrl: string;
  redirectUri: string;
  challenge: string;
  state: string;
  clientId?: string;
}

export function buildAuthorizeUrl(p: AuthorizeParams): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId ?? OUTLOOK_ADDIN_CLIENT_ID,
    redirect_uri: p.redirectUri,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
    state: p.state,
  });
  return `${joinUrl(p.crmUrl, AUTHORIZE_PATH)}?${query.toString()}`;
}

/** What the callback page sends with messageParent: the redirect's query, as strings only. */
export const dialogAnswerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('code'), code: z.string().min(1), state: z.string() }),
  z.object({ type: z.literal('error'), error: z.string().min(1), description: z.string().optional(), state: z.string().optional() }),
]);
export type DialogAnswer = z.infer<typeof dialogAnswerSchema>;

/** The callback page's reading of `?code=…&state=…` or `?error=…` (RFC 6749 §4.1.2). */
export function answerFromRedirect(search: string): DialogAnswer {
  const q = new URLSearchParams(search);
  const state = q.get('state') ?? '';
  const error = q.get('error');
  if (error) return { type: 'error', error, description: q.get('error_description') ?? q.get('message') ?? undefined, state };
  const code = q.get('code');
  if (!code) return { type: 'error', error: 'invalid_response', description: 'The CRM answered without a code.', state };
  return { type: 'code', code, state };
}

/** Reads a dialog message; anything malformed is a failed sign-in, never trusted. */
export function parseDialogAnswer(message: string): DialogAnswer {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    throw new SignInRequiredError('sign-in-failed', 'the sign-in window sent an unreadable answer');
  }
  const parsed = dialogAnswerSchema.safeParse(raw);
  if (!parsed.success) throw new SignInRequiredError('sign-in-failed', 'the sign-in window sent an unreadable answer');
  return parsed.data;
}

/** The code from an answer, after the checks the pane owes: the error kinds, then an exact `state` match. */
export function codeFromAnswer(answer: DialogAnswer, expectedState: string): string {
  if (answer.type === 'error') {
    if (answer.error === 'state_mismatch') throw new SignInRequiredError('state-mismatch');
    if (answer.error === 'access_denied') throw new SignInRequiredError('consent-denied');
    throw new SignInRequiredError('sign-in-failed', answer.description ?? answer.error);
  }
  if (answer.state !== expectedState) throw new SignInRequiredError('state-mismatch');
  return answer.code;
}

export interface CodeExchange {
  crmUrl: string;
  code: string;
  verifier: string;
  redirectUri: string;
  clientId?: string;
  fetch?: FetchLike;
}

/** POST /oauth2-token with grant_type=authorization_code; a refused code becomes SignInRequiredError. */
export async function exchangeCode(x: CodeExchange): Promise<TokenResponse> {
  try {
    const token = await requestToken(
      x.crmUrl,
      { grant_type: 'authorization_code', client_id: x.clientId ?? OUTLOOK_ADDIN_CLIENT_ID, code: x.code, redirect_uri: x.redirectUri, code_verifier: x.verifier },
      x.fetch,
    );
    if (!token.refresh_token) throw new MalformedResponseError('The CRM answered the code exchange without a refresh token.');
    return token;
  } catch (error) {
    if (error instanceof AuthenticationError && !(error instanceof SignInRequiredError)) {
      throw new SignInRequiredError('sign-in-failed', error.message, { cause: error });
    }
    throw error;
  }
}

export interface CrmUserProfile {
  username: string;
  displayName: string;
}

// Oro's "userprofile" resource: the user the token belongs to (JSON:API, oro-api.md §4 conventions).
const userProfileSchema = z.object({
  data: z.object({
    attributes: z.object({
      username: z.string().min(1),
      firstName: z.string().nullish(),
      lastName: z.string().nullish(),
    }),
  }),
});

export async function fetchUserProfile(http: CrmHttp): Promise<CrmUserProfile> {
  const { body } = await http.requestJson({ path: '/api/userprofile' });
  const parsed = userProfileSchema.safeParse(body);
  if (!parsed.success) throw new MalformedResponseError('The CRM answered /api/userprofile with a body we cannot read.');
  const a = parsed.data.data.attributes;
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ');
  return { username: a.username, displayName: name || a.username };
}

/**
 * The user named in a JWT access token's `sub` claim (Oro issues RS256 JWTs, oro-api.md §6), without
 * verifying it: only a fallback label for a CRM that has no /api/userprofile. Null for opaque tokens.
 */
export function userFromAccessToken(token: string): CrmUserProfile | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub ? { username: sub, displayName: sub } : null;
  } catch {
    return null;
  }
}
