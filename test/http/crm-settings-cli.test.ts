// `npm run crm` as a process: the exact start line, the default-style db folder, clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { faultsFromFlags } from '../emulators/crm/main';
import { tempDir } from '../emulators/crm/testing';

const MAIN = path.join(__dirname, '../emulators/crm/main.ts');
const TSX = require.resolve('tsx/cli');

test('the CLI prints its URL, creates the db folder, serves, and stops cleanly on SIGTERM', async () => {
  const dir = tempDir('crm-cli-');
  const dbFile = path.join(dir, 'nested', 'crm.sqlite');
  const child = spawn(process.execPath, [TSX, MAIN, '--port', '0', '--db', dbFile, '--latency-ms', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const m = /^CRM emulator listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line);
    expect(m).not.toBeNull();
    expect(fs.existsSync(dbFile)).toBe(true);
    const res = await fetch(`http://127.0.0.1:${m![1]}/api/outlooksettings/user`);
    expect(res.status).toBe(401);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fault flags map kebab case onto the fault knobs and refuse unknown flags', () => {
  expect(faultsFromFlags({ 'latency-ms': '200', rate429: '0.5', 'expire-delta-tokens': 'true', 'route-filter': 'outlooksettings', port: '1' }, ['port'])).toEqual({
    latencyMs: 200,
    rate429: 0.5,
    expireDeltaTokens: true,
    routeFilter: 'outlooksettings',
  });
  expect(() => faultsFromFlags({ 'latency-msec': '1' }, [])).toThrow(/unknown flag --latency-msec/);
  expect(() => faultsFromFlags({ rate5xx: 'lots' }, [])).toThrow(/number/);
});
