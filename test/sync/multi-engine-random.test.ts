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
