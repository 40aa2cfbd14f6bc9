// Soak over the wire: `npx tsx bench/soak-wire.ts --runs 200 --seed 1 [--steps 5] [--verbose]` runs the
// seeded scenarios of test/sync/wire-random.ts against both emulators. A failure prints its seed.
import { runWireScenario } from '../test/sync/wire-random';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number`);
  return v;
}

async function main(): Promise<void> {
  const runs = arg('runs', 100);
  const seed = arg('seed', Date.now() % 1_000_000);
  const steps = arg('steps', 5);
  const verbose = process.argv.includes('--verbose');
  console.log(`Wire soak: ${runs} scenario(s) from seed ${seed}, ${steps} steps each`);
  let failed = 0;
  for (let i = 0; i < runs; i++) {
    try {
      const log = await runWireScenario(seed + i, { steps, log: verbose ? (l) => console.log(`  ${l}`) : undefined });
      void log;
    } catch (error) {
      failed++;
      console.error(error instanceof Error ? error.message : String(error));
    }
    if ((i + 1) % 10 === 0) console.log(`  ${i + 1} run, ${failed} failed`);
  }
  console.log(failed ? `${failed} of ${runs} scenario(s) failed.` : `All ${runs} scenario(s) passed.`);
  process.exitCode = failed ? 1 : 0;
}

void main();
