// One mailbox on a worker of the sync server: the same engine, planner, executor, journal and rules as
// the pane, on app-only sides (the integration user acting for the CRM user; Graph's /users/{upn}),
// with two leases:
// - the CRM's `outlooksynclease` of that user + mailbox, held by "the server" as one holder, so a pane
//   or `npm run sync` on the mailbox follows the server and never writes beside it;
// - a Redis lease naming the worker that runs the mailbox's job right now, so no two workers ever do.
// The engine's fence checks both before each batch. On PostgreSQL every worker reads and writes one
// state, so the CRM's shared state (`outlooksyncstate`, what a pane taking over reads) is written through
// on commits that change it and pulled only when the server's holding of the CRM lease is new. On SQLite
// each worker has its own file: the shared state is pulled before every job and the newest checkpoints
// are sent after it, because the next job may run on another worker (docs/server.md "Store").
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CrmHttp } from '../crm/http';
import { CrmLeaseBackend, CrmSharedState, detectLeaseSupport } from '../crm/lease-client';
import { CrmSettingsService } from '../crm/settings-service';
import { CrmSide } from '../crm/side';
import { findSyncUser, type SyncUser } from '../crm/sync-users';
import { createOutlookSide, type GraphTokenSource } from '../outlook';
import type { OutlookSettings } from '../settings/options';
import { effectiveSettings } from '../settings/scopes';
import { memoryOverridesStore } from '../settings/local-overrides';
import { SharedStateStore } from '../store/shared-state';
import type { PostgresStateDatabase } from '../store/postgres-store';
import { openSqliteStore } from '../store/sqlite-store';
import { SyncEngine, type CycleSummary } from '../sync/engine';
import { ServiceUnavailableError, SyncError, ThrottledError } from '../sync/errors';
import { sharedStatusOf, type SharedSyncStatus } from '../sync/lease-host';
import { SyncLease, type LeaseRole } from '../sync/lease';
import { heldByServer, SERVER_DEVICE_LABEL, SERVER_HOLDER_ID } from '../sync/server-holder';
import type { SideName } from '../sync/records';
import type { SyncStatus } from '../sync/status';
import type { ServerConfig, ServerUser } from './config';
import { publishedStatus } from './published-status';
import { RedisLeaseBackend } from './redis-lease';

export { SERVER_DEVICE_LABEL, SERVER_HOLDER_ID };

export type JobKind = 'crm' | 'outlook' | 'lease';

export type JobOutcome =
  | { kind: 'synced'; summaries: CycleSummary[]; settings: OutlookSettings; status: SyncStatus }
  | { kind: 'renewed' }
  /** A pane or the headless runner holds the mailbox: the server writes nothing. */
  | { kind: 'following'; deviceLabel: string; since: string }
  /** Another worker runs this mailbox now: try again shortly. */
  | { kind: 'busy'; retryInMs: number };

/** The server cannot sync this mailbox until an operator acts (missing extension, unknown user, ...). */
export class MailboxConfigurationError extends SyncError {}

export interface WorkerServices {
  config: ServerConfig;
  workerId: string;
  redis: Redis;
  crmHttp: CrmHttp;
  graphTokens: GraphTokenSource;
  /** This worker's SQLite file (when stateDatabase is null). */
  stateFile: string;
  /** The state database every worker shares (store.kind "postgres"), or null for SQLite. */
  stateDatabase: PostgresStateDatabase | null;
  /** Redis key prefix (tests give each run its own). */
  prefix: string;
  /** When the queue runs this mailbox's side next (its job scheduler), for the status panes show. */
  nextRun?(mailbox: string, side: SideName): Promise<number | null>;
}

interface Parts {
  owner: SyncUser;
  crmLease: SyncLease;
  workerLease: SyncLease;
  store: SharedStateStore;
  engine: SyncEngine;
  settingsService: CrmSettingsService;
}

export class MailboxSync {
  private parts: Promise<Parts> | null = null;
  /** One lease step at a time per lease (a renewal timer and the job would otherwise race each other). */
  private readonly chains = new Map<SyncLease, Promise<unknown>>();

  constructor(
    private readonly services: WorkerServices,
    readonly user: ServerUser,
  ) {}

  async run(kind: JobKind): Promise<JobOutcome> {
    // Two jobs of this mailbox on this worker share one holder id: the Redis lease tells workers apart,
    // this flag tells this worker's own jobs apart.
    if (this.running) return { kind: 'busy', retryInMs: 500 };
    this.running = true;
    try {
      return await this.runAlone(kind);
    } finally {
      this.running = false;
    }
  }

  private running = false;

  private async runAlone(kind: JobKind): Promise<JobOutcome> {
    const p = await this.ready();
    if ((await this.step(p.workerLease)) !== 'holder') {
      return { kind: 'busy', retryInMs: Math.min(2000, Math.max(200, p.workerLease.view()?.expiresInMs ?? 1000)) };
    }
    try {
      if ((await this.step(p.crmLease)) !== 'holder') {
        const view = p.crmLease.view();
        return { kind: 'following', deviceLabel: view?.deviceLabel ?? 'another engine', since: view?.acquiredAt ?? '' };
      }
      return await this.syncHolding(p, kind);
    } finally {
      await this.release(p.workerLease);
    }
  }

  /** Frees what this mailbox holds on this worker (shutdown): the CRM lease stays, another worker renews it. */
  async close(): Promise<void> {
    if (!this.parts) return;
    const p = await this.parts.catch(() => null);
    if (!p) return;
    await this.release(p.workerLease);
    await p.store.close();
  }

  private async syncHolding(p: Parts, kind: JobKind): Promise<JobOutcome> {
    // A follower's "Sync now" (a pane) asks for both sides at once; the lease job, every third of the
    // lease period, answers it too, so the pane waits seconds rather than a whole check interval.
    // Which request was answered lives in Redis: every worker sees it, so each request runs once.
    const asked = p.crmLease.view()?.syncRequestedAt ?? null;
    const answeredKey = `${this.services.prefix}:sync-request-answered:${this.user.mailbox}`;
    const both = asked !== null && asked !== (await this.services.redis.get(answeredKey));
    if (kind === 'lease' && !both) return { kind: 'renewed' };
    // A long cycle outlives a lease period: keep both renewed while it runs.
    const every = Math.min(p.crmLease.renewEveryMs, p.workerLease.renewEveryMs);
    const renew = setInterval(() => {
      void this.step(p.workerLease).catch(() => undefined);
      void this.step(p.crmLease).catch(() => undefined);
    }, every);
    const ran: SideName[] = both ? ['crm', 'outlook'] : [kind === 'outlook' ? 'outlook' : 'crm'];
    try {
      // The last job may have run on another worker (or a pane held the mailbox): carry on from the shared state.
      if (this.services.stateDatabase) await p.store.pullOnNewHolding();
      else await p.store.pull();
      const settings = effectiveSettings((await p.settingsService.load()).settings);
      p.engine.setSettings(settings);
      if (both) await this.services.redis.set(answeredKey, asked!, 'EX', 7 * 86400);
      const before = p.engine.getStatus();
      let summaries: CycleSummary[];
      try {
        summaries = both ? await p.engine.syncNow() : [ran[0] === 'crm' ? await p.engine.runCrmCycle() : await p.engine.runOutlookCycle()];
      } catch (error) {
        // Followers see the server's error too (the engine's status holds it in plain words).
        await this.publish(p, before, ran);
        throw error;
      }
      // A cycle that lost a lease stopped before its next batch: not a check; run it again shortly.
      if (summaries.some((x) => x.stopped)) return { kind: 'busy', retryInMs: 1000 };
      // SQLite: the next job may run on another worker, which pulls these checkpoints from the CRM.
      if (!this.services.stateDatabase) await p.store.flush();
      const status = await this.publish(p, before, ran);
      return { kind: 'synced', summaries, settings, status };
    } finally {
      clearInterval(renew);
    }
  }

  /** Followers (a pane, the runner) show what the server did: one status for the mailbox across workers. */
  private async publish(p: Parts, before: SyncStatus, ran: SideName[]): Promise<SyncStatus> {
    const view = p.crmLease.view();
    const shared = view?.status as SharedSyncStatus | null | undefined;
    const previous = heldByServer(view) && shared?.deviceLabel === SERVER_DEVICE_LABEL ? shared.status : null;
    const nextRun = { crm: await this.nextRun('crm'), outlook: await this.nextRun('outlook') };
    const status = publishedStatus({ previous, before, after: p.engine.getStatus(), ran, nextRun });
    const conflicts = await p.store.conflicts().catch(() => []);
    await this.step(p.crmLease, sharedStatusOf(SERVER_DEVICE_LABEL, status, conflicts, Date.now())).catch(() => undefined);
    return status;
  }

  private async nextRun(side: SideName): Promise<number | null> {
    return (await this.services.nextRun?.(this.user.mailbox, side).catch(() => null)) ?? null;
  }

  private ready(): Promise<Parts> {
    this.parts ??= this.build().catch((error: unknown) => {
      this.parts = null;
      throw error;
    });
    return this.parts;
  }

  private async build(): Promise<Parts> {
    const { config, crmHttp, graphTokens, redis, workerId, stateFile, stateDatabase, prefix } = this.services;
    const { crmUser, mailbox } = this.user;
    const owner = await findSyncUser(crmHttp, crmUser).catch((error: unknown) => {
      // An unreachable or throttling CRM passes: the job is retried. Only the CRM's answer about the user is the operator's to fix.
      if (error instanceof ServiceUnavailableError || error instanceof ThrottledError) throw error;
      throw new MailboxConfigurationError(`CRM user "${crmUser}": ${error instanceof Error ? error.message : String(error)}`);
    });
    if (!owner.enabled) throw new MailboxConfigurationError(`CRM user "${crmUser}" is disabled.`);
    if (!(await detectLeaseSupport(crmHttp, mailbox, owner.userId))) {
      throw new MailboxConfigurationError('This CRM has no outlooksynclease extension: the server syncs only with it (a pane and the server must not both write).');
    }
    const ttlMs = config.timing.leaseSeconds * 1000;
    const crmLease = new SyncLease({ backend: new CrmLeaseBackend(crmHttp, mailbox, owner.userId), holderId: SERVER_HOLDER_ID, deviceLabel: SERVER_DEVICE_LABEL, ttlMs });
    const workerLease = new SyncLease({
      backend: new RedisLeaseBackend(redis, `${prefix}:mailbox-lease:${mailbox}`),
      holderId: `${workerId}:${crypto.randomUUID()}`,
      deviceLabel: workerId,
      ttlMs: config.timing.jobLockSeconds * 1000,
    });
    const identity = { crmUrl: config.crm.url, crmUser, mailbox };
    const local = stateDatabase ? await stateDatabase.open(identity) : await openSqliteStore(stateFile, identity);
    const store = new SharedStateStore(local, new CrmSharedState(crmHttp, mailbox, owner.userId), () => crmLease.view()?.fencingToken ?? 0);
    const settingsService = new CrmSettingsService(crmHttp, 'user', memoryOverridesStore(), owner.userId);
    const settings = effectiveSettings((await settingsService.load()).settings);
    const crm = new CrmSide({ http: crmHttp, owner });
    const outlook = createOutlookSide({ tokens: graphTokens, baseUrl: config.microsoft365.graphUrl, mailbox: this.user.graphUser ?? mailbox });
    const engine = new SyncEngine({
      crm,
      outlook,
      store,
      settings,
      fence: () => {
        workerLease.assertHeld();
        crmLease.assertHeld();
      },
    });
    return { owner, crmLease, workerLease, store, engine, settingsService };
  }

  private step(lease: SyncLease, status?: unknown): Promise<LeaseRole> {
    const next = (this.chains.get(lease) ?? Promise.resolve()).catch(() => undefined).then(() => lease.step(status));
    this.chains.set(lease, next);
    return next;
  }

  private release(lease: SyncLease): Promise<void> {
    const next = (this.chains.get(lease) ?? Promise.resolve()).catch(() => undefined).then(() => lease.release().catch(() => undefined));
    this.chains.set(lease, next);
    return next;
  }
}
