// 300 seeded random scenarios (issue 4 "Randomized scenarios") over contacts, tasks and events (timed and all-day). A failure names its seed; replay it with
// `npm run test:soak -- --seed <seed> --runs 1 --verbose`. SYNC_RANDOM_SEED shifts the whole range.
import { runScenario } from './random-scenario';

const BASE_SEED = Number(process.env.SYNC_RANDOM_SEED ?? 1000);
const BLOCKS = 6;
const PER_BLOCK = 50;

describe('random creates, edits, deletes, settings changes, interleaved cycles, faults and kills', () => {
  for (let b = 0; b < BLOCKS; b++) {
    const from = BASE_SEED + b * PER_BLOCK;
    test(`after the faults stop, the sides agree, nothing is duplicated or lost (seeds ${from}..${from + PER_BLOCK - 1})`, async () => {
      for (let seed = from; seed < from + PER_BLOCK; seed++) await runScenario(seed);
    });
  }
});
