// Starts the Graph emulator on port 0 with a temp SQLite file and builds an OutlookSide against it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultKnobs, Stats } from '../emulators/common/faults';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/server';
import { GraphHttp, type FetchLike } from '../../src/outlook/graph-http';
import { OutlookSide, type OutlookSideOptions } from '../../src/outlook/side';
import { GraphPasswordTokens } from '../../src/outlook/tokens';

export interface GraphFixture {
  emulator: GraphEmulator;
  url: string;
  /** `fetch` lets a test lose answers on the client side (the write happened, the answer did not arrive). */
  side(user?: string, options?: Partial<OutlookSideOptions>, fetch?: FetchLike): { side: OutlookSide; http: GraphHttp };
  faults(knobs: Partial<FaultKnobs>): Promise<void>;
  stats(): Promise<Stats>;
  resetStats(): Promise<void>;
  resetDelta(mode: 'syncStateNotFound' | 'location' | 'syncStateInvalid' | 'innerError'): Promise<void>;
  dump(): Promise<Record<string, Record<string, Array<Record<string, unknown>>>>>;
  close(): Promise<void>;
}

export async function startGraph(faults?: Partial<FaultKnobs>): Promise<GraphFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'outlook-side-'));
  const emulator = await createGraphEmulator({ dbFile: join(dir, 'graph.db'), port: 0, faults });
  const url = emulator.url.replace(/\/+$/, '');
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    emulator,
    url,
    side(user = 'alice', options = {}, fetch?: FetchLike) {
      const tokens = new GraphPasswordTokens({ tokenUrl: `${url}/common/oauth2/v2.0/token`, username: user, password: user });
      // Real waits, but short: tests set small Retry-After values and backoff.
      const http = new GraphHttp({ baseUrl: `${url}/v1.0`, tokens, fetch, backoffBaseMs: 5, backoffMaxMs: 50, maxAttempts: 8 });
      return { side: new OutlookSide({ http, ...options }), http };
    },
    faults: async (knobs) => void (await control('POST', '/_control/faults', knobs)),
    stats: async () => (await control('GET', '/_control/stats')) as Stats,
    resetStats: async () => void (await control('DELETE', '/_control/stats')),
    resetDelta: async (mode) => void (await control('POST', '/_control/graph/reset-delta', { mode })),
    dump: async () => (await control('GET', '/_control/graph/dump')) as Record<string, Record<string, Array<Record<string, unknown>>>>,
    close: async () => {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
