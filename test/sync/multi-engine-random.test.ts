// Issue 9: 2–4 engines per mailbox, each with its own store, one lease service; skewed clocks, kills,
// holders sleeping past their lease mid-cycle, lost answers. 0 duplicates, 0 lost edits, 0 unintended
// deletes. A failure names its seed; replay with `npm run test:soak -- --multi --seed <seed> --runs 1 --verbose`.
import { runMultiEngineScenario } from './multi-engine-scenario';

const BASE_SEED = Number(process.env.SYNC_RANDOM_SEED ?? 1000);
const BLOCKS = 4;
const PER_BLOCK = 40;

describe('several engines on one mailbox, with the lease and the shared state', () => {
  for (let b = 0; b < BLOCKS; b++) {
    const from = BASE_SEED + b * PER_BLOCK;
    test(`one writer at a time; after handovers, kills and fencing the sides agree (seeds ${from}..${from + PER_BLOCK - 1})`, async () => {
      let handovers = 0;
      let fenced = 0;
      for (let seed = from; seed < from + PER_BLOCK; seed++) {
        const r = await runMultiEngineScenario(seed);
        handovers += r.handovers;
        fenced += r.fencedCycles;
      }
      // The block really exercised handovers and holders fenced mid-cycle.
      expect(handovers).toBeGreaterThan(PER_BLOCK);
      expect(fenced).toBeGreaterThan(0);
    });
  }
});

// Server mode (issue 12): two of the engines are workers of the sync server, as MailboxSync hosts a
// mailbox: one CRM lease holder for the whole server, a second lease telling its workers apart, the
// shared state pulled before and flushed after every job, the fence checking both.
const SERVER_SEEDS = 40;
describe('server mode: two server workers among the engines', () => {
  test(`one writer at a time across panes and server workers; the sides agree (seeds ${BASE_SEED + 5000}..${BASE_SEED + 5000 + SERVER_SEEDS - 1})`, async () => {
    let serverCycles = 0;
    let handovers = 0;
    for (let seed = BASE_SEED + 5000; seed < BASE_SEED + 5000 + SERVER_SEEDS; seed++) {
      const r = await runMultiEngineScenario(seed, { server: true });
      serverCycles += r.serverCycles;
      handovers += r.handovers;
    }
    // The server workers really ran, and the mailbox changed hands between them and the panes.
    expect(serverCycles).toBeGreaterThan(SERVER_SEEDS);
    expect(handovers).toBeGreaterThan(SERVER_SEEDS);
  });
});
