// Graph's error body (graph-api.md §5): {error:{code,message,innerError:{date,request-id,client-request-id}}}.
// `date` has no Z and no fractions, as in the docs' current examples.
import { randomUUID } from 'node:crypto';
import type { Response } from '../common/http';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, clientRequestId?: string, extraInner: Record<string, string> = {}): unknown {
  const requestId = randomUUID();
  return {
    error: {
      code,
      message,
      innerError: {
        ...extraInner,
        date: new Date().toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}

export function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}, clientRequestId?: string): Response {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: errorBody(code, message, clientRequestId) };
}

export function toResponse(error: GraphError, clientRequestId?: string): Response {
  return errorResponse(error.status, error.code, error.message, error.headers, clientRequestId);
}

export const badRequest = (message: string, code = 'BadRequest'): GraphError => new GraphError(400, code, message);
export const itemNotFound = (): GraphError => new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');

/** A 429 in Graph's documented shape (graph-api.md §8); Retry-After is seconds and may be fractional. */
export function throttledBody(retryAfter: number, code = 'TooManyRequests', message = 'Please retry again later.'): unknown {
  return errorBody(code, message, undefined, { code: '429', message: `Please retry after ${retryAfter} seconds`, status: '429' });
}

export function mailboxConcurrencyResponse(retryAfter: number): Response {
  return {
    status: 429,
    headers: { 'Content-Type': 'application/json', 'Retry-After': String(retryAfter) },
    body: throttledBody(
      retryAfter,
      'ApplicationThrottled',
      'Application is over its MailboxConcurrency limit.',
    ),
  };
}

/**
 * Over the 10,000 requests per 10 minutes of an app and mailbox (§8). The code is Outlook's throttling
 * code; the message wording is ours (Microsoft documents none for this limit).
 */
export function mailboxBudgetResponse(retryAfter: number): Response {
  return {
    status: 429,
    headers: { 'Content-Type': 'application/json', 'Retry-After': String(retryAfter) },
    body: throttledBody(retryAfter, 'ApplicationThrottled', 'Application is over its request limit for this mailbox.'),
  };
}
