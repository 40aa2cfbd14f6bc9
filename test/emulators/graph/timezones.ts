// dateTimeTimeZone ↔ UTC instants. Graph accepts Windows and IANA zone names; responses default to "UTC"
// (graph-api.md §0). Only a few common Windows names are mapped; others must be IANA.
import { badRequest } from './errors';
import { localDateTime } from './util';

const WINDOWS_ZONES: Record<string, string> = {
  UTC: 'UTC',
  'Coordinated Universal Time': 'UTC',
  'GMT Standard Time': 'Europe/London',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'FLE Standard Time': 'Europe/Kiev',
  'Russian Standard Time': 'Europe/Moscow',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'India Standard Time': 'Asia/Kolkata',
  'China Standard Time': 'Asia/Shanghai',
  'AUS Eastern Standard Time': 'Australia/Sydney',
};

export function ianaZone(name: string): string {
  const zone = WINDOWS_ZONES[name] ?? name;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    throw badRequest(`A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`, 'TimeZoneNotSupportedException');
  }
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$/;

/** Wall-clock time in a zone → UTC instant. */
export function toUtc(dateTime: string, timeZone: string): Date {
  const m = LOCAL.exec(dateTime.replace(/Z$/, ''));
  if (!m) throw badRequest(`Cannot convert the literal '${dateTime}' to the expected type 'Edm.DateTime'.`);
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000));
  if (Number.isNaN(wall)) throw badRequest(`Cannot convert the literal '${dateTime}' to the expected type 'Edm.DateTime'.`);
  const zone = ianaZone(timeZone);
  if (zone === 'UTC') return new Date(wall);
  // Two passes settle the offset, also next to DST changes.
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - offsetMs(new Date(guess), zone);
  return new Date(guess);
}

function offsetMs(at: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

export function utcDateTimeTimeZone(d: Date): { dateTime: string; timeZone: string } {
  return { dateTime: localDateTime(d), timeZone: 'UTC' };
}

/** True when the wall-clock value is midnight (all-day events must start and end at midnight). */
export function isMidnight(dateTime: string): boolean {
  const m = LOCAL.exec(dateTime.replace(/Z$/, ''));
  return !!m && +(m[4] ?? 0) === 0 && +(m[5] ?? 0) === 0 && +(m[6] ?? 0) === 0 && Number(`0.${m[7] ?? '0'}`) === 0;
}

/**
 * The zone named by `Prefer: outlook.timezone="..."` (graph-api.md §2), or null when absent. An unknown
 * name is ignored (answers stay in UTC): a preference is a hint, not a request to refuse.
 */
export function preferredTimeZone(prefer: string | string[] | undefined): string | null {
  const text = Array.isArray(prefer) ? prefer.join(',') : prefer ?? '';
  const m = /outlook\.timezone\s*=\s*(?:"([^"]*)"|([^,;\s]+))/i.exec(text);
  const name = (m?.[1] ?? m?.[2] ?? '').trim();
  if (!name) return null;
  try {
    ianaZone(name);
    return name;
  } catch {
    return null;
  }
}

/** A stored UTC dateTimeTimeZone shown in `zone`; all-day values float, so they keep their wall time. */
export function inZone(value: { dateTime: string; timeZone: string }, zone: string, allDay: boolean): { dateTime: string; timeZone: string } {
  if (allDay) return { dateTime: value.dateTime, timeZone: zone };
  const instant = toUtc(value.dateTime, value.timeZone);
  const iana = ianaZone(zone);
  const wall = iana === 'UTC' ? instant.getTime() : instant.getTime() + offsetMs(instant, iana);
  return { dateTime: localDateTime(new Date(wall)), timeZone: zone };
}
