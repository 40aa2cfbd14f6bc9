// Finding a server program for development and tests, installing Debian's package for it when we may:
// on a fresh Debian/Ubuntu machine running as root, saying so, as the browser tests do for Chromium
// (test/support/chromium.ts); elsewhere the caller's one-line instruction. Used for redis-server
// (redis.ts) and PostgreSQL (postgres.ts); production names its services by URL and never gets here.
import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function isDebianLike(): boolean {
  try {
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export interface DebianPackageNeed {
  /** Log prefix and lock name: `redis`, `postgres`. */
  tag: string;
  /** Debian's package that provides it. */
  packageName: string;
  /** What we look for, without installing (undefined: not here). */
  find: () => string | undefined;
  /** The one-line instruction when we may not install. */
  hint: string;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INSTALL_WAIT_MS = 10 * 60 * 1000;

function run(tag: string, command: string, args: string[], log: (line: string) => void): void {
  log(`[${tag}] running: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error) throw new Error(`[${tag}] ${command} failed to start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`[${tag}] ${command} ${args.join(' ')} exited with ${result.status}`);
}

/** What `need.find` finds, installing `need.packageName` first when we may; otherwise throws the hint. */
export async function ensureFromDebianPackage(need: DebianPackageNeed): Promise<string> {
  const { tag, packageName, find, hint } = need;
  const log = need.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  // Several jest workers may need it at once: one installs, the others wait (mkdir is atomic).
  const lock = join(tmpdir(), `orocrm-outlook-${tag}-install.lock`);
  const deadline = Date.now() + INSTALL_WAIT_MS;
  for (;;) {
    const found = find();
    if (found) return found;
    if (!isRoot() || !isDebianLike()) throw new Error(hint);
    try {
      mkdirSync(lock);
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > INSTALL_WAIT_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (Date.now() > deadline) throw new Error(`[${tag}] gave up waiting for another install (lock ${lock}). ${hint}`);
      await sleep(1000);
      continue;
    }
    try {
      log(`[${tag}] not found; installing Debian's "${packageName}" package (one time)`);
      const waitForLock = ['-o', 'DPkg::Lock::Timeout=300'];
      run(tag, 'apt-get', [...waitForLock, 'update'], log);
      run(tag, 'apt-get', [...waitForLock, 'install', '-y', '--no-install-recommends', packageName], log);
      const installed = find();
      if (!installed) throw new Error(`apt-get installed ${packageName} but it was not found afterwards. ${hint}`);
      log(`[${tag}] installed: ${installed}`);
      return installed;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
