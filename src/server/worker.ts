// A worker of the sync server: a BullMQ Worker that runs mailbox jobs (mailbox-sync.ts), several
// mailboxes at once, one job per mailbox at a time. Retries with exponential backoff come from BullMQ;
// a mailbox whose jobs keep failing (a refused token, refused writes) waits longer and longer between
// checks and is reported on the status page, while the other mailboxes go on at their own pace: each
// mailbox has its own Graph client with Graph's 4-requests-per-mailbox limit.
import fs from 'node:fs';
import path from 'node:path';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { redisOutageLogger } from './redis';
import { CrmHttp } from '../crm/http';
import { ClientCredentialsTokens } from '../crm/tokens';
import { GraphClientCredentialsTokens } from '../outlook';
import { PostgresStateDatabase } from '../store/postgres-store';
import { AuthenticationError, RequestRejectedError } from '../sync/errors';
import { plainError } from '../sync/status';
import type { ServerConfig } from './config';
import { intervalsOf, openQueue, QUEUE_NAME, schedule, schedulerId, userOf, type SyncJobData } from './jobs';
import { MailboxConfigurationError, MailboxSync, type JobOutcome } from './mailbox-sync';
import { recordFailure, recordSynced, StatusStore } from './status';

export interface WorkerOptions {
  config: ServerConfig;
  redisUrl: string;
  /** Stable per worker: names its SQLite file and shows on the status page. */
  workerId: string;
  /** Redis key prefix (BullMQ's and ours); default "orocrm-sync". */
  prefix?: string;
  log?: (line: string) => void;
}

export interface RunningWorker {
  close(): Promise<void>;
}

/** Errors an operator must fix: retrying the job at once would only repeat them. */
function isPoison(error: unknown): boolean {
  return error instanceof AuthenticationError || error instanceof MailboxConfigurationError || error instanceof RequestRejectedError;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { config, workerId } = opts;
  const prefix = opts.prefix ?? 'orocrm-sync';
  const log = opts.log ?? ((line: string) => console.log(`${new Date().toISOString()} [${workerId}] ${line}`));
  fs.mkdirSync(config.stateDir, { recursive: true });
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', redisOutageLogger(log, 'status store'));
  const queue = openQueue({ url: opts.redisUrl }, prefix);
  queue.on('error', redisOutageLogger(log, 'queue'));
  const statuses = new StatusStore(redis, prefix);
  const crmHttp = new CrmHttp({ baseUrl: config.crm.url, tokens: new ClientCredentialsTokens({ baseUrl: config.crm.url, clientId: config.crm.clientId, clientSecret: config.crm.clientSecret }) });
  const m = config.microsoft365;
  const graphTokens = new GraphClientCredentialsTokens({ authority: m.authority, tenant: m.tenant, clientId: m.clientId, clientSecret: m.clientSecret });
  const store = config.store;
  // One pool per worker process, shared by its mailboxes. A job holds a connection only for a query or a
  // commit, between requests of 100+ ms to the services, so a few serve many concurrent jobs.
  const stateDatabase = store.kind === 'postgres' ? await PostgresStateDatabase.connect(store.url, { schema: store.schema, maxConnections: Math.min(config.workers.concurrency + 2, 20) }) : null;
  const services = {
    config,
    workerId,
    redis,
    crmHttp,
    graphTokens,
    stateFile: path.join(config.stateDir, `${workerId}.sqlite`),
    stateDatabase,
    prefix,
    // BullMQ plans a scheduler's next job when it hands out the current one, so this is the real next run.
    nextRun: async (mailbox: string, side: 'crm' | 'outlook') => (await queue.getJobScheduler(schedulerId(mailbox, side)))?.next ?? null,
  };
  const mailboxes = new Map<string, MailboxSync>();

  const processor = async (job: Job<SyncJobData>, token?: string): Promise<JobOutcome | { kind: 'skipped'; reason: string }> => {
    const { mailbox, kind } = job.data;
    const user = userOf(config, mailbox);
    if (!user) return { kind: 'skipped', reason: 'not configured' };
    const before = await statuses.get(mailbox, user.crmUser);
    if (before.backoffUntil && Date.parse(before.backoffUntil) > Date.now()) {
      return { kind: 'skipped', reason: `backing off until ${before.backoffUntil}` };
    }
    let sync = mailboxes.get(mailbox);
    if (!sync) mailboxes.set(mailbox, (sync = new MailboxSync(services, user)));
    let outcome: JobOutcome;
    try {
      outcome = await sync.run(kind);
    } catch (error) {
      const poison = isPoison(error);
      const final = poison || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const side = kind === 'lease' ? null : kind;
      const message = `${plainError(error, side)} (${error instanceof Error ? error.message : String(error)})`;
      const interval = intervalsOf({ contacts_sync_interval_orocrm: 120, contacts_sync_interval_outlook: 30 }, config)[kind];
      await statuses.update(mailbox, user.crmUser, (s) => recordFailure(s, message, side, final, interval, config, new Date()));
      log(`${mailbox} ${kind} failed${final ? '' : ', will retry'}: ${message}`);
      throw poison ? new UnrecoverableError(message) : error;
    }
    if (outcome.kind === 'busy') {
      // Another worker runs this mailbox now: this job waits its turn instead of failing.
      await job.moveToDelayed(Date.now() + outcome.retryInMs, token);
      throw new DelayedError();
    }
    if (outcome.kind === 'following') {
      await statuses.update(mailbox, user.crmUser, (s) => {
        s.state = 'following';
        s.following = outcome.deviceLabel;
      });
    }
    if (outcome.kind === 'synced') {
      await statuses.update(mailbox, user.crmUser, (s) => recordSynced(s, outcome.summaries, outcome.status, workerId, new Date()));
      const written = outcome.summaries.map((x) => `${x.side}: Outlook +${x.written.outlook.created} ~${x.written.outlook.updated} -${x.written.outlook.deleted}, OroCRM +${x.written.crm.created} ~${x.written.crm.updated} -${x.written.crm.deleted}`);
      log(`${mailbox} ${written.join("; ")}`);
      // The user's intervals take effect: each kind's scheduler follows the settings just read.
      const wanted = intervalsOf(outcome.settings, config);
      for (const k of ['crm', 'outlook'] as const) {
        const current = await queue.getJobScheduler(schedulerId(mailbox, k));
        if (current && Number(current.every) !== wanted[k]) await schedule(queue, config, mailbox, k, wanted[k]);
      }
    }
    return outcome;
  };

  const worker = new Worker<SyncJobData>(QUEUE_NAME, processor, {
    connection: { url: opts.redisUrl },
    prefix,
    name: workerId,
    concurrency: config.workers.concurrency,
    lockDuration: config.timing.jobLockSeconds * 1000,
    stalledInterval: config.timing.jobLockSeconds * 1000,
    maxStalledCount: 3,
  });
  worker.on('error', (error) => log(`worker error: ${error.message}`));
  await worker.waitUntilReady();
  log(`worker ${workerId} ready (concurrency ${config.workers.concurrency}, state in ${store.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'})`);
  return {
    close: async () => {
      await worker.close();
      for (const m of mailboxes.values()) await m.close().catch(() => undefined);
      await stateDatabase?.close();
      await queue.close();
      redis.disconnect();
    },
  };
}
