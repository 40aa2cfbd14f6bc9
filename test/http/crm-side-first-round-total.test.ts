// CrmSide tells a full round's size on its first page (X-Include: totalCount, oro-api.md §1/§3), for
// the pane's first-sync progress; incremental rounds don't, and a bad count header never fails a read.
import type { CrmEmulator } from '../emulators/crm/server';
import { startTestCrm, type TestCrm } from '../emulators/crm/testing';
import { CrmHttp } from '../../src/crm/http';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import { CrmSide } from '../../src/crm/side';
import type { ChangePage } from '../../src/sync/side';
import type { EntityType } from '../../src/sync/records';
import { blankContact } from '../support/records';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

let emu: CrmEmulator;
let t: TestCrm;

beforeEach(async () => {
  t = await startTestCrm();
  emu = t.crm;
});
afterEach(async () => {
  await t.dispose();
});

/** Rewrites the count header of every answer: a string replaces it, null removes it. */
function side(user = 'alice', countHeader?: string | null): CrmSide {
  const rewriting = async (input: string, init?: RequestInit) => {
    const res = await fetch(input, init);
    if (countHeader === undefined || !res.headers.has('x-include-total-count')) return res;
    const headers = new Headers(res.headers);
    if (countHeader === null) headers.delete('x-include-total-count');
    else headers.set('x-include-total-count', countHeader);
    return new Response(await res.arrayBuffer(), { status: res.status, statusText: res.statusText, headers });
  };
  const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: emu.url, username: user, password: user });
  return new CrmSide({ http: new CrmHttp({ baseUrl: emu.url, tokens, fetch: rewriting as typeof fetch }), pageSize: 2 });
}

async function round(s: CrmSide, type: EntityType, checkpoint: string | null): Promise<{ pages: Array<ChangePage<unknown>>; ids: Set<string>; checkpoint: string }> {
  const pages: Array<ChangePage<unknown>> = [];
  const ids = new Set<string>();
  let cp = checkpoint;
  for (;;) {
    const page = await s.readChanges(type, cp);
    pages.push(page);
    for (const c of page.changes) if (c.kind === 'upsert') ids.add(c.item.id);
    cp = page.checkpoint;
    if (page.done) return { pages, ids, checkpoint: cp };
  }
}

describe('CrmSide full-round total', () => {
  test.each(['contact', 'task', 'event'] as const)('a full round of %ss tells on its first page how many of the user\'s records it lists, and on no later page', async (type) => {
    const s = side();
    const full = await round(s, type, null);
    expect(full.ids.size).toBeGreaterThan(0);
    // Events: one start/end listing of the calendar window, which Oro answers unpaged (oro-api.md §3).
    if (type === 'event') expect(full.pages).toHaveLength(1);
    else expect(full.pages.length).toBeGreaterThan(1);
    expect(full.pages[0].total).toBe(full.ids.size);
    for (const p of full.pages.slice(1)) expect(p.total ?? null).toBeNull();
  });

  test("the total counts only the signed-in user's records", async () => {
    const alice = await round(side('alice'), 'contact', null);
    const bob = await round(side('bob'), 'contact', null);
    expect(bob.pages[0].total).toBe(bob.ids.size);
    expect(alice.pages[0].total).toBe(alice.ids.size);
    expect([...alice.ids].some((id) => bob.ids.has(id))).toBe(false);
  });

  test.each(['contact', 'event'] as const)('an incremental round of %ss carries no total', async (type) => {
    const s = side();
    const full = await round(s, type, null);
    if (type === 'contact') await s.apply('contact', [{ op: 'create', key: 'total-new', record: blankContact({ firstName: 'Nia', lastName: 'New' }) }]);
    const next = await round(s, type, full.checkpoint);
    for (const p of next.pages) expect(p.total ?? null).toBeNull();
    if (type === 'contact') expect(next.ids.size).toBe(1);
  });

  test.each([
    ['garbled', 'lots'],
    ['missing', null],
  ] as const)('a %s count header gives a null total and the read still succeeds', async (_, header) => {
    const full = await round(side('alice', header), 'contact', null);
    expect(full.pages[0].total).toBeNull();
    expect(full.ids.size).toBeGreaterThan(0);
    expect(full.pages[0].changes.length).toBeGreaterThan(0);
  });
});
