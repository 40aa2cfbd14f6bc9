// The one place CRM requests are built: base URL, Bearer token, JSON:API headers, safe JSON parsing,
// and a single token refresh + retry on 401. Settings and sync clients build on this.
import { parseJson } from '../http/form-post';
import { AuthenticationError, MalformedResponseError, ServiceUnavailableError } from '../sync/errors';
import { errorFromResponse } from './errors';
import { joinUrl, type FetchLike, type TokenSource } from './tokens';

export const JSON_API_MEDIA_TYPE = 'application/vnd.api+json';

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;

export interface CrmRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Absolute path such as `/api/outlooksettings/user`. */
  path: string;
  /** Appended in order; arrays become comma lists (Oro's "OR" form, oro-api.md §4); null/undefined are skipped. */
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** `jsonapi` (default) uses application/vnd.api+json; `rest` uses application/json for Oro's legacy /api/rest/ routes. */
  format?: 'jsonapi' | 'rest';
  headers?: Record<string, string>;
}

export interface CrmResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
  /** The raw body text. */
  text: string;
}

export interface CrmHttpOptions {
  baseUrl: string;
  tokens: TokenSource;
  fetch?: FetchLike;
}

export class CrmHttp {
  readonly baseUrl: string;
  private readonly tokens: TokenSource;
  private readonly fetchImpl: FetchLike;

  constructor(options: CrmHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.tokens = options.tokens;
    // Bound so a window.fetch default keeps its receiver.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const url = joinUrl(this.baseUrl, path);
    const parts: string[] = [];
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === null || value === undefined) continue;
      const text = Array.isArray(value) ? value.join(',') : String(value);
      parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(text)}`);
    }
    return parts.length ? `${url}${url.includes('?') ? '&' : '?'}${parts.join('&')}` : url;
  }

  /**
   * Sends a request and returns any answer except 401: after a 401 the token is refreshed once and
   * the request retried once; a second 401 (or a failed refresh) throws AuthenticationError.
   * Network failures throw ServiceUnavailableError.
   */
  async request(req: CrmRequest): Promise<CrmResponse> {
    const first = await this.send(req, await this.tokens.accessToken());
    if (first.status !== 401) return first;
    const fresh = await this.tokens.refresh();
    const second = await this.send(req, fresh);
    if (second.status === 401) {
      this.tokens.refused?.();
      throw new AuthenticationError('The CRM refused a freshly refreshed access token; sign in again.');
    }
    return second;
  }

  /** Like request(), but a non-2xx answer throws its typed error (see errors.ts). */
  async requestOk(req: CrmRequest): Promise<CrmResponse> {
    const res = await this.request(req);
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.headers, res.body, describe(req));
    return res;
  }

  /** requestOk() whose body must be JSON. */
  async requestJson(req: CrmRequest): Promise<{ body: unknown; response: CrmResponse }> {
    const res = await this.requestOk(req);
    if (res.body === undefined) throw new MalformedResponseError(`The CRM answered ${describe(req)} without a JSON body.`);
    return { body: res.body, response: res };
  }

  private async send(req: CrmRequest, token: string): Promise<CrmResponse> {
    const mediaType = req.format === 'rest' ? 'application/json' : JSON_API_MEDIA_TYPE;
    const headers: Record<string, string> = { Accept: mediaType, Authorization: `Bearer ${token}`, ...(req.headers ?? {}) };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['Content-Type'] = mediaType;
      body = JSON.stringify(req.body);
    }
    try {
      const res = await this.fetchImpl(this.url(req.path, req.query), { method: req.method ?? 'GET', headers, body });
      // Inside the try: an answer that breaks off mid-body is as unreachable as no answer.
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: parseJson(text), text };
    } catch (cause) {
      throw new ServiceUnavailableError(`The CRM at ${this.baseUrl} could not be reached (${describe(req)}).`, null, { cause });
    }
  }
}

function describe(req: CrmRequest): string {
  return `${req.method ?? 'GET'} ${req.path}`;
}
