// Issue 2 audit: ensureChromium never skips silently. It uses CHROME_PATH or a usual location; with none,
// root on Debian/Ubuntu runs `apt-get update && apt-get install -y chromium` and says so; anyone else gets
// the one-line instruction. apt-get, the file system probes and the user id are stubbed: nothing is installed.
import type * as ChildProcess from 'node:child_process';
import type * as Fs from 'node:fs';

type ChromiumModule = typeof import('../support/chromium');

interface Machine {
  /** Paths that exist as executables (before and after the install). */
  executables: { before: string[]; after: string[] };
  root: boolean;
  osRelease: string;
}

/** Loads test/support/chromium.ts against a pretend machine; records what it runs and prints. */
function loadOn(machine: Machine): { chromium: ChromiumModule; commands: string[][]; printed: () => string } {
  const commands: string[][] = [];
  let installed = false;
  let stderr = '';
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  jest.spyOn(process, 'getuid').mockReturnValue(machine.root ? 0 : 1000);
  let chromium!: ChromiumModule;
  jest.isolateModules(() => {
    jest.doMock('node:child_process', () => {
      const actual = jest.requireActual<typeof ChildProcess>('node:child_process');
      return {
        ...actual,
        spawnSync: (command: string, args: string[]) => {
          commands.push([command, ...args]);
          if (args.includes('install')) installed = true;
          return { status: 0, error: undefined };
        },
        execFileSync: () => 'Chromium 1.2.3',
      };
    });
    jest.doMock('node:fs', () => {
      const actual = jest.requireActual<typeof Fs>('node:fs');
      const lock = (p: Fs.PathLike) => String(p).endsWith('orocrm-outlook-chromium-install.lock');
      return {
        ...actual,
        accessSync: (p: Fs.PathLike) => {
          const present = installed ? machine.executables.after : machine.executables.before;
          if (!present.includes(String(p))) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        },
        readFileSync: (p: Fs.PathOrFileDescriptor, ...rest: unknown[]) =>
          String(p) === '/etc/os-release' ? machine.osRelease : (actual.readFileSync as (...a: unknown[]) => unknown)(p, ...rest),
        mkdirSync: (p: Fs.PathLike, ...rest: unknown[]) => (lock(p) ? undefined : (actual.mkdirSync as (...a: unknown[]) => unknown)(p, ...rest)),
        rmSync: (p: Fs.PathLike, ...rest: unknown[]) => (lock(p) ? undefined : (actual.rmSync as (...a: unknown[]) => unknown)(p, ...rest)),
      };
    });
    chromium = require('../support/chromium') as ChromiumModule;
  });
  return { chromium, commands, printed: () => stderr };
}

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

let savedChromePath: string | undefined;
beforeEach(() => {
  savedChromePath = process.env.CHROME_PATH;
  delete process.env.CHROME_PATH;
});
afterEach(() => {
  if (savedChromePath === undefined) delete process.env.CHROME_PATH;
  else process.env.CHROME_PATH = savedChromePath;
  jest.restoreAllMocks();
  jest.resetModules();
});

describe('ensureChromium', () => {
  test('uses the first usual location without installing anything', async () => {
    const { chromium, commands } = loadOn({ executables: { before: ['/usr/bin/chromium-browser'], after: [] }, root: true, osRelease: DEBIAN });
    await expect(chromium.ensureChromium()).resolves.toBe('/usr/bin/chromium-browser');
    expect(commands).toEqual([]);
  });

  test('a CHROME_PATH that is not executable fails with its name instead of falling back or skipping', async () => {
    process.env.CHROME_PATH = '/opt/nowhere/chrome';
    const { chromium, commands } = loadOn({ executables: { before: ['/usr/bin/chromium'], after: [] }, root: true, osRelease: DEBIAN });
    await expect(chromium.ensureChromium()).rejects.toThrow('CHROME_PATH=/opt/nowhere/chrome is not an executable file.');
    expect(commands).toEqual([]);
  });

  test.each([
    ['Debian', DEBIAN],
    ['Ubuntu', UBUNTU],
  ])('as root on %s with none found, runs apt-get update and install -y chromium, saying so, then uses it', async (_name, osRelease) => {
    const { chromium, commands, printed } = loadOn({ executables: { before: [], after: ['/usr/bin/chromium'] }, root: true, osRelease });
    await expect(chromium.ensureChromium()).resolves.toBe('/usr/bin/chromium');
    expect(commands).toEqual([
      ['apt-get', '-o', 'DPkg::Lock::Timeout=300', 'update'],
      ['apt-get', '-o', 'DPkg::Lock::Timeout=300', 'install', '-y', 'chromium'],
    ]);
    expect(printed()).toMatch(/installing Debian's "chromium" package/);
    expect(printed()).toMatch(/running: apt-get .*update/);
    expect(printed()).toMatch(/running: apt-get .*install -y chromium/);
    expect(printed()).toMatch(/installed: \/usr\/bin\/chromium/);
  });

  test('an install that leaves no Chromium behind fails with the instruction, not a skip', async () => {
    const { chromium } = loadOn({ executables: { before: [], after: [] }, root: true, osRelease: DEBIAN });
    await expect(chromium.ensureChromium()).rejects.toThrow(/apt-get installed chromium but none of .* exists\. No Chromium found/);
  });

  test.each([
    ['not root on Debian', false, DEBIAN],
    ['root on another distribution', true, FEDORA],
  ])('%s with none found: stops with the one-line instruction and installs nothing', async (_name, root, osRelease) => {
    const { chromium, commands } = loadOn({ executables: { before: [], after: ['/usr/bin/chromium'] }, root, osRelease });
    const failure = chromium.ensureChromium();
    await expect(failure).rejects.toThrow(chromium.INSTALL_HINT);
    expect(commands).toEqual([]);
  });
});
