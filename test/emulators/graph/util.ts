// Ids, change keys and timestamps in the forms Graph uses (graph-api.md §0).
import { randomFillSync } from 'node:crypto';

// Random bytes drawn from a pool refilled 8 KB at a time: one crypto call per id was a visible share
// of a $batch of creates.
const pool = Buffer.alloc(8192);
let poolAt = pool.length;
function randomBytes(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + n));
  poolAt += n;
  return out;
}

/** Outlook-style opaque id: base64url with padding; case-sensitive like real ids. */
export function newItemId(): string {
  return 'AAMkAD' + randomBytes(30).toString('base64url') + '=';
}

export function newChangeKey(): string {
  return 'EQAAABYAAAA' + randomBytes(15).toString('base64');
}

export function newGuid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** ISO 8601 UTC with 7 fractional digits and Z. */
export function graphTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** dateTimeTimeZone.dateTime form: 7 fractional digits, no offset. */
export function localDateTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$10000');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
