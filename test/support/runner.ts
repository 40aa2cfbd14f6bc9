// The headless runner (`npm run sync`) as a child process, for tests: node + tsx, output collected.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
const RUNNER = path.join(REPO_ROOT, 'src/cli/sync.ts');

export interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  done: Promise<number | null>;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string): Promise<void>;
}

export function startRunner(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    done: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (run.stdout.includes(text)) resolve();
        };
        child.stdout!.on('data', check);
        child.on('exit', () => (run.stdout.includes(text) ? resolve() : reject(new Error(`exited before printing "${text}":\n${run.stdout}\n${run.stderr}`))));
        check();
      }),
  };
  child.stdout!.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return run;
}
