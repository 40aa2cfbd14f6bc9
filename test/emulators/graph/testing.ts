// Helpers for tests that drive the Graph emulator over real HTTP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from './server';

export interface Harness {
  emulator: GraphEmulator;
  dbFile: string;
  /** A bearer token for a demo user. */
  token(username?: string): Promise<string>;
  /** fetch on the emulator with alice's token unless `as` names another user or `null`. */
  call(method: string, pathOrUrl: string, body?: unknown, headers?: Record<string, string>, as?: string | null): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export function tempDbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-emu-'));
  return path.join(dir, 'graph.sqlite');
}

export async function startGraph(options: Partial<GraphEmulatorOptions> = {}): Promise<Harness> {
  const dbFile = options.dbFile ?? tempDbFile();
  const emulator = await createGraphEmulator({ ...options, dbFile, port: 0 });
  const tokens = new Map<string, string>();
  const harness: Harness = {
    emulator,
    dbFile,
    async token(username = 'alice') {
      const cached = tokens.get(username);
      if (cached) return cached;
      const res = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username, password: username, scope: 'https://graph.microsoft.com/.default' }),
      });
      const json = (await res.json()) as { access_token: string };
      tokens.set(username, json.access_token);
      return json.access_token;
    },
    async call(method, pathOrUrl, body, headers = {}, as = 'alice') {
      const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${emulator.url}${pathOrUrl}`;
      const h: Record<string, string> = { ...headers };
      if (as !== null) h.Authorization = `Bearer ${await harness.token(as)}`;
      if (body !== undefined) h['Content-Type'] = 'application/json';
      const res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* HTML or empty */
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      await emulator.close();
    },
  };
  return harness;
}

/** Follows nextLinks to the end of a delta round; returns every item and the deltaLink. */
export async function deltaRound(h: Harness, firstUrl: string, pageSize?: number): Promise<{ items: any[]; deltaLink: string; pages: number }> {
  const items: any[] = [];
  let url = firstUrl;
  let pages = 0;
  for (;;) {
    const res = await h.call('GET', url, undefined, pageSize ? { Prefer: `odata.maxpagesize=${pageSize}` } : {});
    if (res.status !== 200) throw new Error(`delta page answered ${res.status}: ${JSON.stringify(res.body)}`);
    pages++;
    items.push(...res.body.value);
    if (res.body['@odata.nextLink']) url = res.body['@odata.nextLink'];
    else return { items, deltaLink: res.body['@odata.deltaLink'], pages };
  }
}

export const CRM_ID = 'String {00020329-0000-0000-C000-000000000046} Name OroCRM_id';
