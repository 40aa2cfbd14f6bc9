// Oro's legacy REST conventions (oro-api.md §3, §7): plain JSON, `{code,message}` errors, and
// query filters in the operator syntax `updatedAt>=2024-01-01T00:00:00+00:00`.
import type { Request, Response } from '../../common/http';

export interface LegacyCondition {
  name: string;
  op: '=' | '<>' | '<' | '>' | '<=' | '>=';
  value: string;
}

export function legacyError(status: number, message: string, extra: Record<string, unknown> = {}): Response {
  return { status, headers: { 'Content-Type': 'application/json' }, body: { code: status, message, ...extra } };
}

/**
 * Reads the raw query string, so `a>=b`, `a%3E%3Db` and `a=b` all work. A `+` is a space in a query
 * (PHP), so `+00:00` offsets must be sent as `%2B00:00`; a space before `HH:MM` is read back as `+`.
 */
export function parseLegacyQuery(req: Request): LegacyCondition[] {
  const out: LegacyCondition[] = [];
  for (const part of req.url.search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    let text: string;
    try {
      text = decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      text = part;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(<>|<=|>=|<|>|=)(.*)$/s.exec(text);
    if (!m) continue;
    const value = m[3].replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, '$1+$2');
    out.push({ name: m[1], op: m[2] as LegacyCondition['op'], value });
  }
  return out;
}
