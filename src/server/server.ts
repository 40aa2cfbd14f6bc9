// The sync server's main process: schedules every configured mailbox, serves the status page, and
// keeps its worker processes running (a worker that dies is started again; its job is picked up again
// by BullMQ's stalled-job check, and its mailbox's leases run out on their own).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { Redis } from 'ioredis';
import { redisOutageLogger } from './redis';
import type { ServerConfig } from './config';
import { openQueue, scheduleAll } from './jobs';
import { renderStatusPage, StatusStore } from './status';

export interface ServerOptions {
  config: ServerConfig;
  /** The config file, handed to the worker processes. */
  configFile: string;
  redisUrl: string;
  prefix?: string;
  /** Worker processes to start (default: config.workers.processes). */
  processes?: number;
  log?: (line: string) => void;
  /** Where the workers' output goes (default: this process's stdout/stderr). */
  workerOutput?: (workerId: string, text: string) => void;
}

export interface RunningServer {
  statusUrl: string;
  /** The worker processes now (a restarted one replaces its entry). */
  workers: Map<string, ChildProcess>;
  close(): Promise<void>;
}

const MAIN = path.join(__dirname, 'main.ts');

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { config } = opts;
  const prefix = opts.prefix ?? 'orocrm-sync';
  const log = opts.log ?? ((line: string) => console.log(`${new Date().toISOString()} ${line}`));
  const queue = openQueue({ url: opts.redisUrl }, prefix);
  queue.on('error', redisOutageLogger(log, 'queue'));
  await scheduleAll(queue, config);
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', redisOutageLogger(log, 'status store'));
  const statuses = new StatusStore(redis, prefix);

  const page = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    const url = (req.url ?? '/').split('?')[0];
    const answer =
      url === '/status.json'
        ? statuses.all().then((all) => send(200, 'application/json', JSON.stringify({ mailboxes: Object.fromEntries(all) })))
        : url === '/'
          ? renderStatusPage(config, statuses, queue).then((html) => send(200, 'text/html; charset=utf-8', html))
          : Promise.resolve(send(404, 'text/plain', 'not found'));
    answer.catch((error: unknown) => send(500, 'text/plain', `status unavailable: ${error instanceof Error ? error.message : String(error)}`));
  });
  await new Promise<void>((resolve, reject) => {
    page.once('error', reject);
    page.listen(config.status.port, config.status.host, () => resolve());
  });
  const address = page.address() as { port: number };
  const statusUrl = `http://${config.status.host}:${address.port}/`;

  const workers = new Map<string, ChildProcess>();
  let stopping = false;
  const startChild = (id: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', opts.configFile, '--worker', id], {
      env: { ...process.env, REDIS_URL: opts.redisUrl, ORO_SYNC_PREFIX: prefix },
      stdio: opts.workerOutput ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
    if (opts.workerOutput) {
      child.stdout?.on('data', (d: Buffer) => opts.workerOutput!(id, d.toString()));
      child.stderr?.on('data', (d: Buffer) => opts.workerOutput!(id, d.toString()));
    }
    workers.set(id, child);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log(`worker ${id} exited (${signal ?? code}); starting it again in 2 s`);
      setTimeout(() => !stopping && startChild(id), 2000);
    });
  };
  const count = opts.processes ?? config.workers.processes;
  for (let i = 1; i <= count; i++) startChild(`worker-${i}`);
  log(`status page: ${statusUrl} (${config.users.length} mailboxes, ${count} worker processes)`);

  return {
    statusUrl,
    workers,
    close: async () => {
      stopping = true;
      await Promise.all(
        [...workers.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
              child.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
      await new Promise<void>((resolve) => page.close(() => resolve()));
      await queue.close();
      redis.disconnect();
    },
  };
}
