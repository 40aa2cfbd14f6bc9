// Graph's error body ({error:{code,message,innerError}}, graph-api.md §5) → the typed errors in src/sync/errors.ts.
// Codes are compared case-insensitively: the wire says "SyncStateNotFound", the docs "syncStateNotFound".
import {
  AuthenticationError,
  FullResyncRequiredError,
  RequestRejectedError,
  ServiceUnavailableError,
  SyncError,
  ThrottledError,
} from '../sync/errors';
import type { WriteErrorCode, WriteResult } from '../sync/side';

export interface GraphErrorInfo {
  code: string | null;
  message: string | null;
}

export function graphErrorInfo(body: unknown): GraphErrorInfo {
  const err = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof err !== 'object' || err === null) return { code: null, message: null };
  const { code, message } = err as { code?: unknown; message?: unknown };
  return { code: typeof code === 'string' ? code : null, message: typeof message === 'string' ? message : null };
}

/**
 * Codes meaning "this delta token is dead, start the delta again" (§5; alcionai/corso's Graph client
 * treats syncStateNotFound, resyncRequired and syncStateInvalid alike, citing learn.microsoft.com/graph/errors).
 * ErrorInvalidSyncStateData: Exchange cannot read the token at all.
 */
const RESYNC_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid', 'errorinvalidsyncstatedata']);

/**
 * The error code and the more specific ones nested in `innerError` (Graph's error object nests them,
 * learn.microsoft.com/graph/errors), outermost first.
 */
export function graphErrorCodes(body: unknown): string[] {
  const codes: string[] = [];
  let err = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  for (let depth = 0; typeof err === 'object' && err !== null && depth < 8; depth++) {
    const e = err as { code?: unknown; innerError?: unknown; innererror?: unknown };
    if (typeof e.code === 'string') codes.push(e.code);
    err = e.innerError ?? e.innererror;
  }
  return codes;
}

/** 410, or a resync code at any level of the error (SyncStateInvalid, syncStateNotFound, ...): resync fully. */
export function isResyncSignal(status: number, body: unknown): boolean {
  return status === 410 || graphErrorCodes(body).some((c) => RESYNC_CODES.has(c.toLowerCase()));
}

export function codeIs(body: unknown, code: string): boolean {
  return graphErrorInfo(body).code?.toLowerCase() === code.toLowerCase();
}

/**
 * Retry-After is seconds, possibly fractional ("2.128", §8), or an HTTP-date (RFC 9110). Returns ms ≥ 0,
 * or null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** The typed error for a non-2xx Graph answer to `what` (e.g. "GET /me/contacts"). */
export function graphError(status: number, headers: Record<string, string>, body: unknown, what: string): SyncError {
  const { code, message } = graphErrorInfo(body);
  const detail = `${what} → ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  if (isResyncSignal(status, body)) return new FullResyncRequiredError(`Graph forgot the sync state (${detail}); a full resync is needed.`);
  if (status === 401) return new AuthenticationError(`Graph refused the access token (${detail}); sign in again.`);
  if (status === 429) return new ThrottledError(`Graph is throttling (${detail}).`, parseRetryAfter(headers['retry-after']));
  if (status >= 500) return new ServiceUnavailableError(`Graph is unavailable (${detail}).`, parseRetryAfter(headers['retry-after']));
  return new RequestRejectedError(`Graph rejected ${detail}`, status, { code, message });
}

/** A failed write's per-op result (side.ts WriteResult). Status 0: the outcome is unknown (connection lost). */
export function failedWrite(status: number, body: unknown, what: string): Extract<WriteResult, { ok: false }> {
  const { code: graphCode, message } = graphErrorInfo(body);
  const text = `${what} → ${status || 'no answer'}${graphCode ? ` ${graphCode}` : ''}${message ? `: ${message}` : ''}`;
  const code: WriteErrorCode =
    status === 404
      ? 'not_found'
      : status === 409 || status === 412
        ? 'conflict'
        : status === 429
          ? 'throttled'
          : status === 0 || status >= 500
            ? 'unavailable'
            : status === 400 || status === 422
              ? 'invalid'
              : 'unknown';
  return { ok: false, code, message: text, retryable: code === 'throttled' || code === 'unavailable' };
}
