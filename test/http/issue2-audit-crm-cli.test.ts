// Issue 2 audit: `npm run crm -- --port <p> --db <file>` refuses a malformed command line with a clear
// message and touches nothing, instead of e.g. seeding a database file named "true".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { argumentProblem } from '../emulators/crm/main';
import { tempDir } from '../emulators/crm/testing';

const MAIN = path.join(__dirname, '../emulators/crm/main.ts');
const TSX = require.resolve('tsx/cli');

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
    const dir = tempDir('crm-cli-audit-');
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
});
