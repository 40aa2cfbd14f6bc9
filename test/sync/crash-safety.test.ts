// Crash safety (issue 4): for every n, the process dies right after the n-th request to either
// service; a fresh engine over the same store then syncs again. No duplicates, no lost edit, nothing
// deleted that should stay.
import { KilledError } from '../support/memory-side';
import { makeWorld, person, type World } from './engine-helpers';

type Names = Record<string, string>;

function byName(w: World, side: 'crm' | 'outlook') {
  return Object.fromEntries((side === 'crm' ? w.crm : w.outlook).all('contact').map((i) => [i.record.firstName!, i]));
}

function assertNoDuplicates(w: World) {
  const stamps = w.outlook.all('contact').map((i) => i.crmId).filter((c) => c !== null);
  expect(new Set(stamps).size).toBe(stamps.length);
  const crmNames = w.crm.all('contact').map((i) => i.record.firstName);
  const outlookNames = w.outlook.all('contact').map((i) => i.record.firstName);
  expect(new Set(crmNames).size).toBe(crmNames.length);
  expect(new Set(outlookNames).size).toBe(outlookNames.length);
  expect(w.crm.sent.delete).toBe(0);
}

/** Runs `prepare`, kills the sync after request n, restarts and syncs twice. False once n is past the end. */
async function crashAt(n: number, prepare: (w: World) => Promise<void> | void, check: (w: World) => void, loseAnswer = false): Promise<boolean> {
  const w = await makeWorld(undefined, { pageSize: 2, batchSize: 2, matchListingThreshold: 2 });
  await prepare(w);
  w.counter.killAfter = w.counter.requests + n;
  w.counter.loseAnswer = loseAnswer;
  let killed = false;
  try {
    await w.engine.syncNow();
  } catch (e) {
    if (!(e instanceof KilledError)) throw e;
    killed = true;
  }
  w.counter.killAfter = null;
  await w.restart();
  await w.engine.syncNow();
  await w.engine.syncNow();
  try {
    assertNoDuplicates(w);
    check(w);
  } catch (e) {
    throw new Error(`after a kill at request ${n}: ${(e as Error).message}`);
  }
  return killed;
}

describe.each([
  ['before the next request is sent', false],
  ['while a write lands but its answer is lost', true],
])('a sync killed after any request (%s), then restarted from the store', (_, loseAnswer) => {
  test('first sync: matches and creates once, never twice', async () => {
    const prepare = (w: World) => {
      for (const n of ['Ann', 'Bob', 'Cy']) w.crm.userCreate('contact', person(n, 'Lee'));
      w.outlook.userCreate('contact', person('Bob', 'Lee', { phone: '555' }));
      for (const n of ['Dee', 'Eve']) w.outlook.userCreate('contact', person(n, 'Lee'));
    };
    const check = (w: World) => {
      const crm = byName(w, 'crm');
      const outlook = byName(w, 'outlook');
      expect(Object.keys(crm).sort()).toEqual(['Ann', 'Bob', 'Cy', 'Dee', 'Eve']);
      expect(Object.keys(outlook).sort()).toEqual(['Ann', 'Bob', 'Cy', 'Dee', 'Eve']);
      for (const name of Object.keys(crm)) expect(outlook[name].crmId).toBe(crm[name].id);
      // The matched pair differed in one field, blank in the CRM: the first match fills it in on both sides.
      expect(outlook.Bob.record.phone).toBe('555');
      expect(crm.Bob.record.phone).toBe('555');
    };
    let n = 1;
    while (await crashAt(n, prepare, check, loseAnswer)) n++;
    expect(n).toBeGreaterThan(10);
  });

  test('incremental sync: edits, creates and deletes on both sides land exactly once', async () => {
    const ids: Names = {};
    const prepare = async (w: World) => {
      for (const n of ['Ann', 'Bob', 'Cy']) ids[n] = w.crm.userCreate('contact', person(n, 'Lee'));
      for (const n of ['Dee', 'Eve']) w.outlook.userCreate('contact', person(n, 'Lee'));
      await w.engine.syncNow();
      const o = byName(w, 'outlook');
      w.crm.userUpdate('contact', ids.Ann, { jobTitle: 'CEO' });
      w.crm.userUpdate('contact', ids.Bob, { jobTitle: 'crm title' });
      w.outlook.userUpdate('contact', o.Bob.id, { jobTitle: 'outlook title', phone: '777' });
      w.outlook.userUpdate('contact', o.Dee.id, { description: 'met at fair' });
      w.crm.userDelete('contact', ids.Cy);
      w.outlook.userDelete('contact', o.Eve.id);
      w.crm.userCreate('contact', person('Fay', 'Lee'));
      w.outlook.userCreate('contact', person('Gus', 'Lee'));
    };
    const check = (w: World) => {
      const crm = byName(w, 'crm');
      const outlook = byName(w, 'outlook');
      expect(Object.keys(crm).sort()).toEqual(['Ann', 'Bob', 'Dee', 'Eve', 'Fay', 'Gus']);
      expect(Object.keys(outlook).sort()).toEqual(['Ann', 'Bob', 'Dee', 'Eve', 'Fay', 'Gus']);
      for (const name of Object.keys(crm)) expect(outlook[name].record).toEqual(crm[name].record);
      expect(crm.Ann.record.jobTitle).toBe('CEO');
      expect(crm.Bob.record).toEqual(expect.objectContaining({ jobTitle: 'crm title', phone: '777' }));
      expect(crm.Dee.record.description).toBe('met at fair');
    };
    let n = 1;
    while (await crashAt(n, prepare, check, loseAnswer)) n++;
    expect(n).toBeGreaterThan(10);
  });
});
