// A throwaway PostgreSQL for tests and the bench (the server's shared store, docs/server.md "Store").
// It finds `postgres` and `initdb` on PATH, in POSTGRES_BIN or in Debian's /usr/lib/postgresql/*/bin; on
// a fresh Debian/Ubuntu machine running as root it installs Debian's `postgresql` package first, saying
// so, as src/server/redis.ts does for redis-server; elsewhere it stops with a one-line instruction.
// initdb and postgres refuse to run as root, so as root the cluster runs as the `postgres` user (or
// `nobody`). Production names its PostgreSQL with DATABASE_URL or store.url and never gets here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Client } from 'pg';
import { ensureFromDebianPackage, isExecutable, isRoot } from './debian-package';
import { freePort } from './redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** The bin directory of a usable PostgreSQL, installing Debian's package when we may; otherwise throws the hint. */
export function ensurePostgres(log?: (line: string) => void): Promise<string> {
  return ensureFromDebianPackage({ tag: 'postgres', packageName: 'postgresql', find: () => findPostgresBin(), hint: POSTGRES_INSTALL_HINT, log });
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
