// Redis for development and tests: without REDIS_URL the sync server starts a local `redis-server`
// of its own. It finds one on PATH (or REDIS_SERVER); on a fresh Debian/Ubuntu machine running as root
// it installs Debian's `redis-server` package first, saying so, as the browser tests do for Chromium
// (test/support/chromium.ts); elsewhere it stops with a one-line instruction. Production names its
// Redis (or Valkey) with REDIS_URL and never gets here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const REDIS_INSTALL_HINT =
  'No redis-server found: install Redis or Valkey (Debian/Ubuntu: `sudo apt-get install -y redis-server`), set REDIS_SERVER to its executable, or set REDIS_URL to a running one.';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** REDIS_SERVER when set (it must then exist), else `redis-server` (or `valkey-server`) on PATH or in /usr/bin. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.REDIS_SERVER?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`REDIS_SERVER=${explicit} is not an executable file.`);
    return explicit;
  }
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const name of ['redis-server', 'valkey-server']) {
    for (const dir of dirs) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export function isDebianLike(): boolean {
  try {
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function run(command: string, args: string[], log: (line: string) => void): void {
  log(`[redis] running: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) throw new Error(`[redis] ${command} failed to start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`[redis] ${command} ${args.join(' ')} exited with ${result.status}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Jest may run several server test files at once: one installs, the others wait (mkdir is atomic).
const INSTALL_LOCK = join(tmpdir(), 'orocrm-outlook-redis-install.lock');
const INSTALL_WAIT_MS = 10 * 60 * 1000;

/** The path of a usable redis-server, installing Debian's package when we may; otherwise throws the hint. */
export async function ensureRedisServer(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const deadline = Date.now() + INSTALL_WAIT_MS;
  for (;;) {
    const found = findRedisServer();
    if (found) return found;
    if (!isRoot() || !isDebianLike()) throw new Error(REDIS_INSTALL_HINT);
    try {
      mkdirSync(INSTALL_LOCK);
    } catch {
      try {
        if (Date.now() - statSync(INSTALL_LOCK).mtimeMs > INSTALL_WAIT_MS) rmSync(INSTALL_LOCK, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (Date.now() > deadline) throw new Error(`[redis] gave up waiting for another install (lock ${INSTALL_LOCK}). ${REDIS_INSTALL_HINT}`);
      await sleep(1000);
      continue;
    }
    try {
      log('[redis] no redis-server found; installing Debian\'s "redis-server" package (one time)');
      const waitForLock = ['-o', 'DPkg::Lock::Timeout=300'];
      run('apt-get', [...waitForLock, 'update'], log);
      run('apt-get', [...waitForLock, 'install', '-y', '--no-install-recommends', 'redis-server'], log);
      const installed = findRedisServer();
      if (!installed) throw new Error(`apt-get installed redis-server but it is not on PATH. ${REDIS_INSTALL_HINT}`);
      log(`[redis] installed: ${installed}`);
      return installed;
    } finally {
      rmSync(INSTALL_LOCK, { recursive: true, force: true });
    }
  }
}

export interface LocalRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Stops it at once, as a crash would (fault tests). */
  kill(): void;
  process: ChildProcess;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of our own on 127.0.0.1 (a free port unless given), its data (AOF, so a restarted
 * server keeps the queue) in `dir`. Resolves once it answers PING.
 */
export async function startLocalRedis(opts: { dir: string; port?: number; log?: (line: string) => void }): Promise<LocalRedis> {
  const binary = await ensureRedisServer(opts.log);
  mkdirSync(opts.dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes', '--daemonize', 'no'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on port ${port}: ${output.trim()}`);
    }
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    kill: () => void child.kill('SIGKILL'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One inline PING; true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * An 'error' handler for Redis clients and BullMQ queues: one line per outage (at most one a minute)
 * instead of ioredis's "Unhandled error event" on every reconnect attempt; the clients reconnect and
 * queue commands by themselves, and the fault tests restart Redis under them.
 */
export function redisOutageLogger(log: (line: string) => void, name: string): (error: Error) => void {
  let lastAt = -Infinity;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < 60_000) return;
    lastAt = now;
    log(`${name}: Redis unreachable (${error.message}); reconnecting`);
  };
}
