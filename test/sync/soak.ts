// Soak runner: `npm run test:soak -- --runs 5000 --seed 1 [--steps 60] [--verbose] [--multi] [--server]` runs seeded
// scenarios (--multi: 2–4 engines on one mailbox, multi-engine-scenario.ts; --server: two of them sync-server workers).
import { runScenario } from './random-scenario';
import { runMultiEngineScenario } from './multi-engine-scenario';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v)) throw new Error(`--${name} needs an integer`);
  return v;
}

async function main(): Promise<void> {
  const runs = arg('runs', 1000);
  const seed = arg('seed', Date.now() % 1_000_000);
  const steps = arg('steps', 40);
  const verbose = process.argv.includes('--verbose');
  console.log(`Soak: ${runs} scenario(s) from seed ${seed}, ${steps} steps each`);
  for (let i = 0; i < runs; i++) {
    const server = process.argv.includes('--server');
    const report = process.argv.includes('--multi') || server ? await runMultiEngineScenario(seed + i, { steps, server }) : await runScenario(seed + i, { steps });
    if (verbose) console.log(report.steps.join('\n'));
    if ((i + 1) % 100 === 0) console.log(`  ${i + 1} passed`);
  }
  console.log(`All ${runs} scenario(s) passed.`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
