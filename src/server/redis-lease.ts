// Which worker of the server runs a mailbox's job right now: a SyncLease (src/sync/lease.ts) whose
// backend is a Redis key. The CRM's lease says "the server syncs this mailbox" (against panes and the
// headless runner); this one says "worker 2 of the server is on it" (against the other workers), with
// the same guarantees: conditional writes (one Lua script, atomic in Redis), expiry on Redis's clock
// handed out as a duration, and a fence the engine checks before each batch.
import type { Redis } from 'ioredis';
import type { LeaseBackend, LeaseView, LeaseWrite, LeaseWriteResult } from '../sync/lease';

interface Stored {
  holder: string;
  deviceLabel: string;
  fencingToken: number;
  version: number;
  acquiredAt: number;
  renewedAt: number;
  expiresAt: number;
  status: unknown;
  syncRequestedAt: number | null;
}

// KEYS[1] the lease; ARGV: expected version ('' = none), holder, deviceLabel, ttl ms, status JSON ('' = keep).
// Answers {'changed'} | {'held'} | {'ok', storedJson, nowMs}.
const WRITE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local raw = redis.call('GET', KEYS[1])
local cur = raw and cjson.decode(raw) or nil
local version = cur and tostring(cur.version) or ''
if version ~= ARGV[1] then return {'changed'} end
local ttl = tonumber(ARGV[4])
local live = cur and cur.expiresAt > now
if live and cur.holder ~= ARGV[2] then return {'held'} end
if ttl == 0 then
  if not cur then return {'changed'} end
  if live then cur.expiresAt = now; cur.version = cur.version + 1 end
  redis.call('SET', KEYS[1], cjson.encode(cur), 'PX', 86400000)
  return {'ok', cjson.encode(cur), tostring(now)}
end
local renewal = live and cur.holder == ARGV[2]
local nxt = {
  holder = ARGV[2], deviceLabel = ARGV[3],
  fencingToken = renewal and cur.fencingToken or ((cur and cur.fencingToken or 0) + 1),
  version = (cur and cur.version or 0) + 1,
  acquiredAt = renewal and cur.acquiredAt or now,
  renewedAt = now, expiresAt = now + ttl,
  syncRequestedAt = renewal and cur.syncRequestedAt or cjson.null,
  status = cjson.null
}
if ARGV[5] ~= '' then nxt.status = cjson.decode(ARGV[5]) elseif cur then nxt.status = cur.status end
redis.call('SET', KEYS[1], cjson.encode(nxt), 'PX', ttl + 86400000)
return {'ok', cjson.encode(nxt), tostring(now)}
`;

const READ = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {redis.call('GET', KEYS[1]) or '', tostring(now)}
`;

export class RedisLeaseBackend implements LeaseBackend {
  readonly reach = 'shared' as const;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async read(): Promise<LeaseView | null> {
    const [raw, now] = (await this.redis.eval(READ, 1, this.key)) as [string, string];
    return raw ? viewOf(JSON.parse(raw) as Stored, Number(now)) : null;
  }

  async write(expected: LeaseView | null, change: LeaseWrite): Promise<LeaseWriteResult> {
    const status = change.status === undefined ? '' : JSON.stringify(change.status);
    const answer = (await this.redis.eval(WRITE, 1, this.key, expected?.etag ?? '', change.holder, change.deviceLabel, String(change.ttlSeconds * 1000), status)) as string[];
    if (answer[0] === 'changed') return { ok: false, reason: 'changed' };
    if (answer[0] === 'held') return { ok: false, reason: 'held' };
    return { ok: true, lease: viewOf(JSON.parse(answer[1]) as Stored, Number(answer[2])) };
  }

  async requestSync(): Promise<void> {
    // Workers never ask each other to sync; the CRM lease carries a pane's "Sync now".
  }
}

function viewOf(s: Stored, now: number): LeaseView {
  return {
    holder: s.holder,
    deviceLabel: s.deviceLabel,
    fencingToken: s.fencingToken,
    acquiredAt: new Date(s.acquiredAt).toISOString(),
    expiresInMs: Math.max(0, s.expiresAt - now),
    sinceRenewalMs: Math.max(0, now - s.renewedAt),
    active: s.expiresAt > now,
    syncRequestedAt: s.syncRequestedAt === null ? null : new Date(s.syncRequestedAt).toISOString(),
    status: s.status ?? null,
    etag: String(s.version),
  };
}
