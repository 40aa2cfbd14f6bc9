// Helpers for tests that run the CRM emulator: a temp database per test, a movable clock,
// and JSON:API requests with a Bearer token.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCrmEmulator, tokenFor, type CrmEmulator, type CrmEmulatorOptions } from './server';

/** A fresh folder under the OS temp dir; remove it with `fs.rmSync(dir, { recursive: true, force: true })`. */
export function tempDir(prefix = 'crm-emulator-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A clock tests can move forward. */
export class TestClock {
  private ms: number;
  constructor(start = Date.parse('2026-11-01T09:00:00Z')) {
    this.ms = start;
  }
  now = (): Date => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface TestCrm {
  crm: CrmEmulator;
  dbFile: string;
  dir: string;
  /** Restarts on the same database file (state must survive). */
  restart(): Promise<CrmEmulator>;
  /** Closes the emulator and removes the temp folder. */
  dispose(): Promise<void>;
}

export async function startTestCrm(options: Omit<CrmEmulatorOptions, 'dbFile' | 'port'> = {}): Promise<TestCrm> {
  const dir = tempDir();
  const dbFile = path.join(dir, 'crm.sqlite');
  const t: TestCrm = {
    crm: await createCrmEmulator({ ...options, dbFile }),
    dbFile,
    dir,
    async restart() {
      await t.crm.close();
      t.crm = await createCrmEmulator({ ...options, dbFile });
      return t.crm;
    },
    async dispose() {
      await t.crm.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  json: any;
}

/** A JSON:API request as a well-behaved client sends it; `body` strings are sent verbatim. */
export async function api(
  crm: { url: string },
  method: string,
  pathAndQuery: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { Accept: 'application/vnd.api+json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/vnd.api+json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(`${crm.url}${pathAndQuery}`, { method, headers: { ...headers, ...(options.headers ?? {}) }, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export { tokenFor };

/** Sets the emulator's Oro quirks (POST /_emulator/quirks; only the named knobs change). */
export async function setQuirks(crm: { url: string }, quirks: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${crm.url.replace(/\/+$/, '')}/_emulator/quirks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(quirks) });
  if (res.status !== 200) throw new Error(`POST /_emulator/quirks answered ${res.status}: ${await res.text()}`);
}
