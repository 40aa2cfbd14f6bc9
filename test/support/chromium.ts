// Finds a Chromium for the browser tests. On a fresh Debian/Ubuntu machine running as root it installs
// Debian's `chromium` itself, so `npm install && npm test` is all the set-up; elsewhere it stops with a
// one-line instruction. It never skips silently.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The usual places a system Chromium or Chrome lives, in order of preference. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
];

export const INSTALL_HINT =
  'No Chromium found: install one (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set CHROME_PATH to its executable.';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROME_PATH when set (it must then exist), else the first usual location that exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, candidates = CHROMIUM_CANDIDATES): string | undefined {
  const explicit = env.CHROME_PATH?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`CHROME_PATH=${explicit} is not an executable file.`);
    return explicit;
  }
  return candidates.find(isExecutable);
}

function isDebianLike(): boolean {
  try {
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(osRelease);
  } catch {
    return false;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function run(command: string, args: string[]): void {
  process.stderr.write(`[chromium] running: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) throw new Error(`[chromium] ${command} failed to start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`[chromium] ${command} ${args.join(' ')} exited with ${result.status}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Jest runs browser test files in parallel workers: one installs, the others wait (mkdir is atomic).
const INSTALL_LOCK = join(tmpdir(), 'orocrm-outlook-chromium-install.lock');
const INSTALL_WAIT_MS = 15 * 60 * 1000;

let cached: string | undefined;

/**
 * The path of a usable Chromium. Installs Debian's package when none is found and we may (root on
 * Debian/Ubuntu); otherwise throws INSTALL_HINT. The apt install can take minutes: call it from a
 * beforeAll with a long timeout.
 */
export async function ensureChromium(): Promise<string> {
  if (cached) return cached;
  const deadline = Date.now() + INSTALL_WAIT_MS;
  for (;;) {
    const found = findChromium();
    if (found) return (cached = found);
    if (!isRoot() || !isDebianLike()) throw new Error(INSTALL_HINT);
    try {
      mkdirSync(INSTALL_LOCK);
    } catch {
      removeIfStale(INSTALL_LOCK);
      if (Date.now() > deadline) throw new Error(`[chromium] gave up waiting for another test worker's install (lock ${INSTALL_LOCK}). ${INSTALL_HINT}`);
      await sleep(1000);
      continue;
    }
    try {
      return (cached = installChromium());
    } finally {
      rmSync(INSTALL_LOCK, { recursive: true, force: true });
    }
  }
}

/** A lock left by a worker that died mid-install would otherwise block every later run. */
function removeIfStale(lock: string): void {
  try {
    if (Date.now() - statSync(lock).mtimeMs > INSTALL_WAIT_MS) rmSync(lock, { recursive: true, force: true });
  } catch {
    /* gone already */
  }
}

function installChromium(): string {
  process.stderr.write('[chromium] no Chromium found; installing Debian\'s "chromium" package (one time, may take a few minutes)\n');
  // Wait for a dpkg lock held by someone else (e.g. unattended upgrades) instead of failing at once.
  const waitForLock = ['-o', 'DPkg::Lock::Timeout=300'];
  run('apt-get', [...waitForLock, 'update']);
  run('apt-get', [...waitForLock, 'install', '-y', 'chromium']);
  const found = findChromium();
  if (!found) throw new Error(`apt-get installed chromium but none of ${CHROMIUM_CANDIDATES.join(', ')} exists. ${INSTALL_HINT}`);
  process.stderr.write(`[chromium] installed: ${describe(found)}\n`);
  return found;
}

function describe(path: string): string {
  try {
    return `${path} (${execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()})`;
  } catch {
    return path;
  }
}
