// Reading JSON answers and POSTing OAuth token forms: the wire steps the CRM and Graph clients share.
import { ServiceUnavailableError } from '../sync/errors';

/** The parsed JSON of a body; undefined when it is empty or not JSON (callers decide whether that is malformed). */
export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export interface FormAnswer {
  status: number;
  ok: boolean;
  /** Parsed JSON, or undefined for an empty / non-JSON body. */
  body: unknown;
}

/**
 * POSTs `params` as an x-www-form-urlencoded form (the OAuth token request shape) and reads the JSON answer.
 * A request that fails, or whose answer breaks off before its body is read, throws ServiceUnavailableError
 * naming `what`; every answer that arrives is returned, whatever its status.
 */
export async function postForm(
  fetchImpl: (input: string, init?: RequestInit) => Promise<Response>,
  url: string,
  params: Record<string, string>,
  what: string,
): Promise<FormAnswer> {
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, ok: res.ok, body: parseJson(await res.text()) };
  } catch (cause) {
    throw new ServiceUnavailableError(`${what} could not be reached.`, null, { cause });
  }
}
