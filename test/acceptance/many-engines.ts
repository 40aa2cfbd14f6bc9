// Acceptance run for "one mailbox, many engines" (issue 9's "Done when"), too long for `npm test`:
//   npx tsx test/acceptance/many-engines.ts [--minutes 5]
// Fresh demo data; two panes (two browser contexts) and a headless runner start together on alice's
// mailbox; for the given minutes, edits land on both sides every 20 s (field edits, plus one new
// contact on each side each minute). At the end every CRM item has exactly one Outlook copy and the
// other way round, every edit is in place on both sides, and the counts equal one engine's: the demo
// data's own one-engine result (a separate fresh pair of emulators synced by one runner) plus the
// contacts the run added. Prints what it measured; exits 1 on any difference.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrmEmulator, type CrmEmulator } from '../emulators/crm/server';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/server';
import { GRAPH_URL_OVERRIDE_KEY } from '../../src/taskpane/dev-sync-connection';
import { ENTITY_TYPES, type EntityType } from '../../src/sync/records';
import { startPaneSession } from '../support/browser';
import { submitDevSignIn } from '../support/pane-page';
import { crmApiOf, graphApiOf, outlookContactsOf } from '../support/alice-apis';
import { startRunner, type Run } from '../support/runner';
import { DEMO_PASSWORD_CLIENT } from '../emulators/demo-data';
import { buildSides, byName, duplicateStamps, fullRound } from '../support/world';

const minutes = Number(process.argv[process.argv.indexOf('--minutes') + 1] || 5) || 5;

async function emulators(dir: string): Promise<{ crm: CrmEmulator; graph: GraphEmulator }> {
  return { crm: await createCrmEmulator({ dbFile: join(dir, 'crm.sqlite'), port: 0 }), graph: await createGraphEmulator({ dbFile: join(dir, 'graph.sqlite'), port: 0 }) };
}

const runnerArgs = (crm: CrmEmulator, graph: GraphEmulator, state: string, device: string) => ['--crm', crm.url, '--graph', graph.url, '--user', 'alice', '--password', 'alice', '--client-id', DEMO_PASSWORD_CLIENT.id, '--client-secret', DEMO_PASSWORD_CLIENT.secret, '--state', state, '--device', device];

/** Items per type on each side, duplicates of the CRM-id stamp in Outlook, and pairs whose names differ. */
async function census(crm: CrmEmulator, graph: GraphEmulator) {
  const sides = buildSides(crm.url.replace(/\/+$/, ''), graph.url.replace(/\/+$/, ''));
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const type of ENTITY_TYPES as readonly EntityType[]) {
    const o = await fullRound(sides.outlook, type);
    const c = await fullRound(sides.crm, type);
    const dup = duplicateStamps(o);
    if (dup.length) problems.push(`${type}: Outlook items sharing a CRM id: ${dup.join(', ')}`);
    const cn = byName(type, c);
    const on = byName(type, o);
    if (Object.keys(cn).length !== c.length) problems.push(`${type}: CRM names repeat (${c.length} items, ${Object.keys(cn).length} names)`);
    if (Object.keys(on).length !== o.length) problems.push(`${type}: Outlook names repeat (${o.length} items, ${Object.keys(on).length} names)`);
    for (const name of Object.keys(cn)) if (on[name]?.crmId !== cn[name].id) problems.push(`${type} "${name}": no Outlook copy linked to CRM ${cn[name].id}`);
    for (const name of Object.keys(on)) if (!cn[name]) problems.push(`${type} "${name}": only in Outlook`);
    out[type] = { crm: c.length, outlook: o.length };
  }
  return { counts: out as Record<EntityType, { crm: number; outlook: number }>, problems };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'many-engines-'));
  const baselineDir = mkdtempSync(join(tmpdir(), 'many-engines-one-'));
  const session = await startPaneSession();
  const runners: Run[] = [];
  try {
    // One engine on its own fresh demo data: the counts a single engine reaches.
    const one = await emulators(baselineDir);
    const alone = startRunner([...runnerArgs(one.crm, one.graph, join(baselineDir, 's.sqlite'), 'alone'), '--once']);
    if ((await alone.done) !== 0) throw new Error(`one-engine run failed: ${alone.stdout}${alone.stderr}`);
    const baseline = await census(one.crm, one.graph);
    await one.crm.close();
    await one.graph.close();
    console.log('one engine:', JSON.stringify(baseline.counts));

    const { crm, graph } = await emulators(dir);
    const crmApi = crmApiOf(crm);
    const graphApi = graphApiOf(graph);
    const panes = await Promise.all(
      [0, 1].map(async () => {
        const p = await session.newPage();
        await p.context.addInitScript(([key, url]) => window.sessionStorage.setItem(key, url), [GRAPH_URL_OVERRIDE_KEY, graph.url] as const);
        await p.page.goto(session.paneUrl);
        return p;
      }),
    );
    // Started together.
    runners.push(startRunner(runnerArgs(crm, graph, join(dir, 'runner.sqlite'), 'the runner')));
    await Promise.all(panes.map((p) => submitDevSignIn(p.page, crm.url, 'alice')));

    const expected = new Map<string, string>(); // contact name → its last job title
    const editedIn = new Map<string, number>(); // contact name → 0: edited in the CRM, 1: in Outlook (fixed)
    let added = 0;
    const started = Date.now();
    for (let tick = 0; Date.now() - started < minutes * 60_000; tick++) {
      await new Promise((r) => setTimeout(r, 20_000));
      const contacts = (await crmApi('GET', '/api/contacts?page[size]=100')).data as Array<{ id: string; attributes: { firstName: string; lastName: string } }>;
      const inOutlook = await outlookContactsOf(graphApi);
      // Each contact is edited on one side only (even names in the CRM, odd ones in Outlook), so no edit
      // can lose to the conflict rule and every last edit must survive.
      for (const name of contacts.map((c) => `${c.attributes.firstName} ${c.attributes.lastName}`).sort()) if (!editedIn.has(name)) editedIn.set(name, editedIn.size % 2);
      const pick = (parity: number) => {
        const mine = [...editedIn].filter(([, p]) => p === parity).map(([name]) => name);
        return mine[Math.floor(tick / 2) % Math.max(1, mine.length)];
      };
      if (tick % 2 === 0) {
        const name = pick(0);
        const c = contacts.find((x) => `${x.attributes.firstName} ${x.attributes.lastName}` === name);
        if (c) {
          const title = `CRM edit ${tick}`;
          await crmApi('PATCH', `/api/contacts/${c.id}`, { data: { type: 'contacts', id: c.id, attributes: { jobTitle: title } } });
          expected.set(name, title);
        }
      } else {
        const name = pick(1);
        const o = inOutlook.find((x) => `${x.givenName} ${x.surname}` === name);
        if (o) {
          const title = `Outlook edit ${tick}`;
          await graphApi(`/contacts/${o.id}`, 'PATCH', { jobTitle: title });
          expected.set(name, title);
        }
      }
      if (tick % 3 === 2) {
        added++;
        await crmApi('POST', '/api/contacts', { data: { type: 'contacts', attributes: { firstName: 'Added', lastName: `InCrm${tick}` } } });
        const folders = await graphApi('/contactFolders/contacts/childFolders');
        const folder = folders.value.find((f: { displayName: string }) => f.displayName === 'OroCRM');
        added++;
        await graphApi(`/contactFolders/${folder.id}/contacts`, 'POST', { givenName: 'Added', surname: `InOutlook${tick}` });
      }
      process.stdout.write(`\r${Math.round((Date.now() - started) / 1000)} s, ${expected.size} contacts edited, ${added} added`);
    }
    console.log('');

    // Settle: whoever holds the mailbox runs both sides twice (Sync now in a pane reaches it).
    for (let i = 0; i < 2; i++) {
      for (const p of panes) await p.page.getByRole('button', { name: 'Sync now' }).click();
      await new Promise((r) => setTimeout(r, 15_000));
    }
    const roles = await Promise.all(panes.map(async (p) => ((await p.page.locator('body').textContent()) ?? '').match(/Syncing in (.+?) since/)?.[1] ?? 'syncs itself'));
    console.log('panes:', roles.join(' | '), '· runner:', runners[0].stdout.match(/Holding the sync lease|Following: [^\n]*/g)?.slice(-1)[0]);

    const end = await census(crm, graph);
    console.log('three engines:', JSON.stringify(end.counts));
    const problems = [...end.problems];
    for (const type of ENTITY_TYPES as readonly EntityType[]) {
      const want = baseline.counts[type].crm + (type === 'contact' ? added : 0);
      if (end.counts[type].crm !== want) problems.push(`${type}: ${end.counts[type].crm} in the CRM, one engine gives ${want}`);
    }
    const crmNow = (await crmApi('GET', '/api/contacts?page[size]=100')).data as Array<{ attributes: { firstName: string; lastName: string; jobTitle: string | null } }>;
    const outlookNow = await outlookContactsOf(graphApi);
    for (const [name, title] of expected) {
      const c = crmNow.find((x) => `${x.attributes.firstName} ${x.attributes.lastName}` === name);
      const o = outlookNow.find((x) => `${x.givenName} ${x.surname}` === name);
      // The rule (OroCRM always wins) may override an Outlook edit only when both sides changed it.
      if (c?.attributes.jobTitle !== o?.jobTitle) problems.push(`"${name}": CRM "${c?.attributes.jobTitle}" vs Outlook "${o?.jobTitle}"`);
      if (c?.attributes.jobTitle !== title && o?.jobTitle !== title) problems.push(`"${name}": the last edit "${title}" is lost`);
    }
    console.log(problems.length ? `FAILED:\n- ${problems.join('\n- ')}` : `OK: ${minutes} min, ${expected.size} contacts edited, ${added} added, no duplicates, every edit in place.`);
    process.exitCode = problems.length ? 1 : 0;
    for (const r of runners) r.child.kill('SIGTERM');
    await Promise.all(runners.map((r) => r.done));
    await crm.close();
    await graph.close();
  } finally {
    for (const r of runners) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await session.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(baselineDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
