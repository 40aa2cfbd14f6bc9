// JSON:API responses and error documents in Oro's conventions (oro-api.md §4): `status` is a string,
// titles are Oro's constraint / exception names, 401 has an empty body.
import type { Request, Response } from '../common/http';

export const JSON_API = 'application/vnd.api+json';

export interface ErrorObject {
  status: string;
  title: string;
  detail: string;
  source?: { pointer?: string; parameter?: string };
}

export function problem(status: number, title: string, detail: string, source?: ErrorObject['source']): ErrorObject {
  return { status: String(status), title, detail, ...(source ? { source } : {}) };
}

export function jsonApi(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return { status, headers: { 'Content-Type': JSON_API, ...headers }, body };
}

/** One document reporting every problem; the HTTP status is the first problem's. */
export function errorResponse(errors: ErrorObject[], headers: Record<string, string> = {}): Response {
  return jsonApi(Number(errors[0].status), { errors }, headers);
}

export function errorOf(status: number, title: string, detail: string, source?: ErrorObject['source']): Response {
  return errorResponse([problem(status, title, detail, source)]);
}

/** oro-api.md §4: a bad or missing Bearer token gets 401 with an empty body. */
export const UNAUTHORIZED: Response = { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };

export const notFoundEntity = (): Response =>
  errorOf(404, 'not found http exception', 'An entity with the requested identifier does not exist.');

export const accessDenied = (detail = 'No access to the entity.'): Response => errorOf(403, 'access denied exception', detail);

/**
 * oro-api.md §4: writes must send exactly `application/vnd.api+json`; a missing type, another type
 * or any media-type parameter gives 415.
 */
export function checkContentType(req: Request): Response | null {
  const raw = req.headers['content-type'];
  if (typeof raw === 'string' && raw.trim().toLowerCase() === JSON_API) return null;
  return errorOf(415, 'unsupported media type http exception', `The "Content-Type" request header must be "${JSON_API}" without parameters.`);
}

/** oro-api.md §4: an Accept header that offers the JSON:API type only with parameters gives 406. */
export function checkAccept(req: Request): Response | null {
  const raw = req.headers.accept;
  if (typeof raw !== 'string' || !raw.toLowerCase().includes(JSON_API)) return null;
  const ranges = raw.split(',').map((r) => r.trim().toLowerCase());
  const plain = ranges.some((r) => r === JSON_API || r.startsWith('*/*') || r.startsWith('application/*') || (r.split(';')[0].trim() !== JSON_API));
  if (plain) return null;
  return errorOf(406, 'not acceptable http exception', `Only "${JSON_API}" without media-type parameters is acceptable.`);
}

/** Parses a JSON body, or gives the 400 for a body that is not JSON. */
export function parseJsonBody(req: Request): { ok: true; body: unknown } | { ok: false; response: Response } {
  try {
    return { ok: true, body: JSON.parse(req.rawBody) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, response: errorOf(400, 'request data constraint', `The request data is not valid JSON: ${reason}`) };
  }
}
