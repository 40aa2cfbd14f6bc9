// A throwaway PostgreSQL for tests and the bench (the server's shared store, docs/server.md "Store").
// It finds `postgres` and `initdb` on PATH, in POSTGRES_BIN or in Debian's /usr/lib/postgresql/*/bin; on
// a fresh Debian/Ubuntu machine running as root it installs Debian's `postgresql` package first, saying
// so, as src/server/redis.ts does for redis-server; elsewhere it stops with a one-line instruction.
// initdb and postgres refuse to run as root, so as root the cluster runs as the `postgres` user (or
// `nobody`). Production names its PostgreSQL with DATABASE_URL or store.url and never gets here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Client } from 'pg';
import { freePort, isDebianLike, isExecutable, isRoot } from './redis';

export const POSTGRES_INSTALL_HINT =
  'No PostgreSQL server found: install it (Debian/Ubuntu: `sudo apt-get install -y postgresql`), set POSTGRES_BIN to the directory holding postgres and initdb, or set DATABASE_URL to a running one.';

const hasServer = (dir: string) => isExecutable(join(dir, 'postgres')) && isExecutable(join(dir, 'initdb'));

/** The directory holding both `postgres` and `initdb`: POSTGRES_BIN, PATH, then Debian's newest version. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.POSTGRES_BIN?.trim();
  if (explicit) {
    if (!hasServer(explicit)) throw new Error(`POSTGRES_BIN=${explicit} holds no postgres and initdb.`);
    return explicit;
  }
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean).find(hasServer);
  if (onPath) return onPath;
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    /* no Debian packages */
  }
  return versions.map((v) => join('/usr/lib/postgresql', v, 'bin')).find(hasServer);
}

function run(command: string, args: string[], log: (line: string) => void): void {
  log(`[postgres] running: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) throw new Error(`[postgres] ${command} failed to start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`[postgres] ${command} ${args.join(' ')} exited with ${result.status}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Several jest workers may need it at once: one installs, the others wait (mkdir is atomic).
const INSTALL_LOCK = join(tmpdir(), 'orocrm-outlook-postgres-install.lock');
const INSTALL_WAIT_MS = 10 * 60 * 1000;

/** The bin directory of a usable PostgreSQL, installing Debian's package when we may; otherwise throws the hint. */
export async function ensurePostgres(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const deadline = Date.now() + INSTALL_WAIT_MS;
  for (;;) {
    const found = findPostgresBin();
    if (found) return found;
    if (!isRoot() || !isDebianLike()) throw new Error(POSTGRES_INSTALL_HINT);
    try {
      mkdirSync(INSTALL_LOCK);
    } catch {
      try {
        if (Date.now() - statSync(INSTALL_LOCK).mtimeMs > INSTALL_WAIT_MS) rmSync(INSTALL_LOCK, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (Date.now() > deadline) throw new Error(`[postgres] gave up waiting for another install (lock ${INSTALL_LOCK}). ${POSTGRES_INSTALL_HINT}`);
      await sleep(1000);
      continue;
    }
    try {
      log('[postgres] no PostgreSQL found; installing Debian\'s "postgresql" package (one time)');
      const waitForLock = ['-o', 'DPkg::Lock::Timeout=300'];
      run('apt-get', [...waitForLock, 'update'], log);
      run('apt-get', [...waitForLock, 'install', '-y', '--no-install-recommends', 'postgresql'], log);
      const installed = findPostgresBin();
      if (!installed) throw new Error(`apt-get installed postgresql but no postgres/initdb was found. ${POSTGRES_INSTALL_HINT}`);
      log(`[postgres] installed: ${installed}`);
      return installed;
    } finally {
      rmSync(INSTALL_LOCK, { recursive: true, force: true });
    }
  }
}

/** As root: the account the cluster runs as (PostgreSQL refuses root), `postgres` if there is one, else `nobody`. */
function clusterAccount(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  for (const name of ['postgres', 'nobody']) {
    const entry = passwd.find((f) => f[0] === name);
    if (entry) return { uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error('Running as root, and there is neither a "postgres" nor a "nobody" user to run PostgreSQL as.');
}

export interface LocalPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres, no password (trust on 127.0.0.1 only). */
  url: string;
  port: number;
  process: ChildProcess;
  /** Stops the server (fast shutdown) and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster of our own in a new temp directory, on 127.0.0.1 and a free port, without fsync
 * (its data is thrown away). Resolves once it accepts connections.
 */
export async function startLocalPostgres(opts: { log?: (line: string) => void } = {}): Promise<LocalPostgres> {
  const bin = await ensurePostgres(opts.log);
  const account = clusterAccount();
  const dir = mkdtempSync(join(tmpdir(), 'orocrm-sync-pg-'));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (account) for (const d of [dir, data]) chownSync(d, account.uid, account.gid);
  const as = account ? { uid: account.uid, gid: account.gid } : {};
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '--encoding=UTF8', '--no-sync'], { ...as, encoding: 'utf8', cwd: dir });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.error?.message ?? init.status}): ${(init.stderr ?? '').trim().slice(-2000)}`);
  }
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
  const child = spawn(join(bin, 'postgres'), args, { ...as, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  while (!(await accepts(url))) {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres exited with ${child.exitCode}: ${output.trim()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`postgres did not accept connections on port ${port}: ${output.trim()}`);
    }
    await sleep(100);
  }
  return {
    url,
    port,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT'); // fast shutdown: end sessions, no checkpoint wait
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function accepts(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
