// Seeded random scenarios over both emulators with faults and kills (wire-random.ts). A failure names
// its seed and the replay command; `npx tsx bench/soak-wire.ts --runs N` runs more.
import { runWireScenario } from './wire-random';

jest.setTimeout(180_000);

const FIRST_SEED = Number(process.env.WIRE_SEED ?? 1);
const RUNS = Number(process.env.WIRE_RUNS ?? 20);

test(`${RUNS} random scenarios with faults keep both sides consistent (seeds ${FIRST_SEED}…${FIRST_SEED + RUNS - 1})`, async () => {
  const failures: string[] = [];
  for (let seed = FIRST_SEED; seed < FIRST_SEED + RUNS; seed++) {
    await runWireScenario(seed).catch((e: Error) => failures.push(e.message));
  }
  expect(failures).toEqual([]);
});
