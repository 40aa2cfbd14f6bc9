// Oro's JSON:API error documents (oro-api.md §4) turned into typed errors that know which field failed.
import { z } from 'zod';
import { AuthenticationError, RequestRejectedError, ServiceUnavailableError, ThrottledError } from '../sync/errors';

const errorObjectSchema = z.object({
  id: z.string().optional(),
  // Oro sends status as a string; the async-operation errors use a number (oro-api.md §4).
  status: z.union([z.string(), z.number()]).optional(),
  code: z.string().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  source: z.object({ pointer: z.string().optional(), parameter: z.string().optional() }).optional(),
});

const errorDocumentSchema = z.object({ errors: z.array(errorObjectSchema).min(1) });

export interface CrmProblem {
  status: number;
  title: string;
  detail: string;
  /** JSON pointer into the request document, e.g. `/data/attributes/contacts_enabled/value`. */
  pointer: string | null;
  /** Query parameter at fault, e.g. `filter[unknown]`. */
  parameter: string | null;
  /** The attribute or relationship the pointer names (for outlooksettings: the setting key), or null. */
  field: string | null;
}

/** The name an error belongs to: `/data/attributes/<name>[/...]`, `/data/relationships/<name>/...`, `/data/0/attributes/<name>`. */
export function fieldFromPointer(pointer: string | null | undefined): string | null {
  if (!pointer) return null;
  const m = /^\/data(?:\/\d+)?\/(?:attributes|relationships)\/([^/]+)/.exec(pointer);
  return m ? m[1].replace(/~1/g, '/').replace(/~0/g, '~') : null;
}

/** The problems of a JSON:API error document, or null when the body is not one. */
export function parseErrorDocument(body: unknown, fallbackStatus: number): CrmProblem[] | null {
  const parsed = errorDocumentSchema.safeParse(body);
  if (!parsed.success) return null;
  return parsed.data.errors.map((e) => {
    const status = Number(e.status ?? fallbackStatus);
    const pointer = e.source?.pointer ?? null;
    return {
      status: Number.isFinite(status) ? status : fallbackStatus,
      title: e.title ?? '',
      detail: e.detail ?? e.title ?? '',
      pointer,
      parameter: e.source?.parameter ?? null,
      field: fieldFromPointer(pointer),
    };
  });
}

/** A 4xx the CRM gave for a request we built, with every problem it reported. */
export class CrmApiError extends RequestRejectedError {
  constructor(
    message: string,
    status: number,
    readonly problems: CrmProblem[],
  ) {
    super(message, status, problems);
    this.name = 'CrmApiError';
  }

  /** Problems tied to one field (attribute, relationship or setting key). */
  problemsFor(field: string): CrmProblem[] {
    return this.problems.filter((p) => p.field === field);
  }
}

/** Seconds or an HTTP date, as in Retry-After; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** The typed error for a non-2xx CRM answer. */
export function errorFromResponse(status: number, headers: { get(name: string): string | null }, body: unknown, what: string): Error {
  if (status === 401) return new AuthenticationError(`The CRM refused the credentials for ${what}; sign in again.`);
  if (status === 429) return new ThrottledError(`The CRM is throttling requests (${what}).`, retryAfterMs(headers.get('Retry-After')));
  if (status >= 500) return new ServiceUnavailableError(`The CRM answered ${status} for ${what}.`, retryAfterMs(headers.get('Retry-After')));
  const problems = parseErrorDocument(body, status) ?? [];
  const detail = problems.length ? problems.map((p) => p.detail).join(' ') : `HTTP ${status}`;
  return new CrmApiError(`The CRM refused ${what}: ${detail}`, status, problems);
}
