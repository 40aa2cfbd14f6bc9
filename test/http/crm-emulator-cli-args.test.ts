// Issue 2 audit: `npm run crm -- --port <p> --db <file>` refuses a malformed command line with a clear
// message and touches nothing, instead of e.g. seeding a database file named "true".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { argumentProblem } from '../emulators/crm/main';
import { api, tempDir, tokenFor } from '../emulators/crm/testing';

const MAIN = path.join(__dirname, '../emulators/crm/main.ts');
const TSX = require.resolve('tsx/cli');

/** Starts `npm run crm`'s program on a free port; resolves with its URL once it printed the start line. */
async function startCli(dbFile: string): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [TSX, MAIN, '--port', '0', '--db', dbFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^CRM emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
        if (m) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    return {
      url,
      stop: async () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

describe('the CRM emulator command line', () => {
  test.each([
    [['--port', '0', '--db']],
    [['--db', '--port', '0']],
    [['--port']],
    [['--db', '']],
    [['--cors-origin']],
  ])('%j is refused: a flag that needs a value names it', (argv) => {
    expect(argumentProblem(argv)).toMatch(/^--(port|db|cors-origin) needs a value\nusage: npm run crm/);
  });

  test('a stray argument is refused', () => {
    expect(argumentProblem(['4100', '--db', 'x.sqlite'])).toMatch(/^unexpected argument "4100"/);
  });

  test.each([
    [['--port', '4100', '--db', '.data/crm.sqlite']],
    [['--port=0', '--db=/tmp/x.sqlite']],
    [['--stock', '--port', '0', '--latency-ms', '200', '--rate429', '0.1']],
    [['--help']],
    [[]],
  ])('%j is accepted', (argv) => {
    expect(argumentProblem(argv)).toBeNull();
  });

  test('`--db` without a file exits 1 with the message and creates no database', async () => {
    const dir = tempDir('crm-cli-args-');
    try {
      const child = spawn(process.execPath, [TSX, MAIN, '--port', '0', '--db'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(output).toContain('--db needs a value');
      expect(output).not.toContain('listening');
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a setting saved through one emulator process is there after a restart on the same --db, without a re-seed', async () => {
    const dir = tempDir('crm-cli-restart-');
    const dbFile = path.join(dir, 'crm.sqlite');
    try {
      const first = await startCli(dbFile);
      const token = await tokenFor(first, 'alice');
      const body = { data: { type: 'outlooksettings', id: 'user', attributes: { contacts_sync_interval_outlook: { value: 45, useParentScope: false } } } };
      expect((await api(first, 'PATCH', '/api/outlooksettings/user', { token, body })).status).toBe(200);
      expect(await first.stop()).toBe(0);

      const second = await startCli(dbFile);
      try {
        // The old access token still works: users and tokens were kept, not seeded again.
        const res = await api(second, 'GET', '/api/outlooksettings/user', { token });
        expect(res.status).toBe(200);
        expect(res.json.data.attributes.contacts_sync_interval_outlook).toEqual({ value: 45, useParentScope: false, parentValue: 60, parentScope: 'organization' });
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
