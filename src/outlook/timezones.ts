// Graph's dateTimeTimeZone ({dateTime without offset, timeZone}) ↔ UTC instants (graph-api.md §0).
// We ask Graph for UTC (`Prefer: outlook.timezone="UTC"`) and send UTC, so other zones only arrive when
// a server ignores the preference. We still convert what we can name exactly and refuse the rest:
// a clear error beats an event silently moved by hours.

export interface DateTimeTimeZone {
  dateTime: string;
  timeZone: string;
}

export class UnsupportedTimeZoneError extends Error {
  constructor(readonly timeZone: string) {
    super(`Unsupported time zone "${timeZone}": cannot convert it to UTC exactly.`);
    this.name = 'UnsupportedTimeZoneError';
  }
}

const UTC_NAMES = new Set(['utc', 'etc/utc', 'etc/gmt', 'gmt', 'z', 'coordinated universal time', 'utc+00:00', 'utc-00:00']);

// Windows zone ids Graph uses by default → IANA (CLDR windowsZones.xml, territory "001").
// Only zones we can name exactly; anything else is refused. Note "GMT Standard Time" is London (has DST).
const WINDOWS_TO_IANA: Record<string, string> = {
  'pacific standard time': 'America/Los_Angeles',
  'mountain standard time': 'America/Denver',
  'us mountain standard time': 'America/Phoenix',
  'central standard time': 'America/Chicago',
  'eastern standard time': 'America/New_York',
  'atlantic standard time': 'America/Halifax',
  'alaskan standard time': 'America/Anchorage',
  'hawaiian standard time': 'Pacific/Honolulu',
  'gmt standard time': 'Europe/London',
  'greenwich standard time': 'Atlantic/Reykjavik',
  'w. europe standard time': 'Europe/Berlin',
  'romance standard time': 'Europe/Paris',
  'central europe standard time': 'Europe/Budapest',
  'central european standard time': 'Europe/Warsaw',
  'e. europe standard time': 'Europe/Chisinau',
  'fle standard time': 'Europe/Kiev',
  'gtb standard time': 'Europe/Bucharest',
  'russian standard time': 'Europe/Moscow',
  'india standard time': 'Asia/Kolkata',
  'china standard time': 'Asia/Shanghai',
  'tokyo standard time': 'Asia/Tokyo',
  'korea standard time': 'Asia/Seoul',
  'singapore standard time': 'Asia/Singapore',
  'aus eastern standard time': 'Australia/Sydney',
  'new zealand standard time': 'Pacific/Auckland',
  'e. south america standard time': 'America/Sao_Paulo',
};

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const OFFSET_RE = /^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** Wall-clock fields of a Graph `dateTime` (no offset allowed), as ms since epoch read as if UTC. */
export function parseLocalDateTime(dateTime: string): number {
  const m = LOCAL_RE.exec(dateTime.trim());
  if (!m) throw new RangeError(`Not a Graph dateTime (YYYY-MM-DDTHH:MM:SS[.fffffff]): "${dateTime}"`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(t);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) {
    throw new RangeError(`Not a calendar date: "${dateTime}"`);
  }
  return t;
}

/** Offset of `timeZone` from UTC in minutes at the given wall time, or throws UnsupportedTimeZoneError. */
function zoneOffsetResolver(timeZone: string): (wallMs: number) => number {
  const key = timeZone.trim().toLowerCase();
  if (UTC_NAMES.has(key)) return () => 0;
  const off = OFFSET_RE.exec(key);
  if (off) {
    const minutes = Number(off[2]) * 60 + Number(off[3] ?? 0);
    if (Number(off[2]) > 14 || Number(off[3] ?? 0) > 59) throw new UnsupportedTimeZoneError(timeZone);
    return () => (off[1] === '-' ? -minutes : minutes);
  }
  const iana = WINDOWS_TO_IANA[key] ?? (timeZone.includes('/') ? timeZone.trim() : null);
  if (!iana || !isKnownIanaZone(iana)) throw new UnsupportedTimeZoneError(timeZone);
  return (wallMs) => {
    // Iterate: the offset at the guessed instant, then re-guess (settles in ≤ 2 steps outside DST gaps).
    let guess = wallMs;
    for (let i = 0; i < 3; i++) {
      const offset = ianaOffsetMinutes(iana, guess);
      const next = wallMs - offset * 60_000;
      if (next === guess) break;
      guess = next;
    }
    return (wallMs - guess) / 60_000;
  };
}

function isKnownIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function ianaOffsetMinutes(zone: string, instantMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instantMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(instantMs / 1000) * 1000) / 60_000);
}

/** The UTC instant (ms) a dateTimeTimeZone stands for. */
export function toUtcMillis(value: DateTimeTimeZone): number {
  const wall = parseLocalDateTime(value.dateTime);
  const offsetMinutes = zoneOffsetResolver(value.timeZone)(wall);
  return wall - offsetMinutes * 60_000;
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the canonical instant form (seconds precision). */
export function formatUtcInstant(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Graph's request form for a UTC instant: 7 fractional digits, zone "UTC". */
export function utcDateTimeTimeZone(instant: string): DateTimeTimeZone {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`Not an ISO instant: "${instant}"`);
  return { dateTime: new Date(ms).toISOString().slice(0, 19) + '.0000000', timeZone: 'UTC' };
}

/** Midnight of a calendar date as Graph's dateTimeTimeZone in UTC (all-day events, due dates). */
export function dateOnlyDateTimeTimeZone(date: string): DateTimeTimeZone {
  assertDate(date);
  return { dateTime: `${date}T00:00:00.0000000`, timeZone: 'UTC' };
}

/** Midnight of a calendar date in `timeZone` (To Do due dates: date-only, local midnight, graph-api.md §3). */
export function dateInZone(date: string, timeZone: string): DateTimeTimeZone {
  assertDate(date);
  return { dateTime: `${date}T00:00:00.0000000`, timeZone };
}

/** The wall time (ms, read as if UTC) of a Graph dateTimeTimeZone seen in `timeZone`. */
export function wallTimeIn(value: DateTimeTimeZone, timeZone: string): number {
  if (value.timeZone.trim().toLowerCase() === timeZone.trim().toLowerCase()) return parseLocalDateTime(value.dateTime);
  const instant = toUtcMillis(value);
  const key = timeZone.trim().toLowerCase();
  if (UTC_NAMES.has(key)) return instant;
  const iana = WINDOWS_TO_IANA[key] ?? timeZone.trim();
  if (!isKnownIanaZone(iana)) throw new UnsupportedTimeZoneError(timeZone);
  return instant + ianaOffsetMinutes(iana, instant) * 60_000;
}

/** A zone's IANA name where Graph sent a Windows one we know ("W. Europe Standard Time" → Europe/Berlin), else as sent. */
export function ianaZoneName(timeZone: string): string {
  return WINDOWS_TO_IANA[timeZone.trim().toLowerCase()] ?? timeZone;
}

/** The zone this runtime runs in (IANA), UTC when unknown. */
export function runtimeTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The calendar date written in a Graph dateTime (its wall date, whatever its zone). */
export function wallDate(value: DateTimeTimeZone): string {
  return new Date(parseLocalDateTime(value.dateTime)).toISOString().slice(0, 10);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function assertDate(date: string): void {
  if (!DATE_RE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`Not a calendar date (YYYY-MM-DD): "${date}"`);
  }
}
