// `npm run graph -- --port 4200 --db .data/graph.sqlite [--latency-ms 50 --rate429 0.1 ...]`
import { DEFAULT_KNOBS, type FaultKnobs } from '../common/faults';
import { parseFlags } from '../common/http';
import { OUTLOOK_REQUEST_BUDGET, type RequestBudget } from './admission';
import { createGraphEmulator } from './server';

const kebab = (s: string) => s.replace(/[A-Z0-9]+/g, (m) => `-${m.toLowerCase()}`);

function faultFlags(flags: Record<string, string>): Partial<FaultKnobs> {
  const knobs: Record<string, unknown> = {};
  for (const [name, fallback] of Object.entries(DEFAULT_KNOBS)) {
    const raw = flags[kebab(name)] ?? flags[name];
    if (raw === undefined) continue;
    if (typeof fallback === 'boolean') knobs[name] = raw !== 'false' && raw !== '0';
    else if (typeof fallback === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${kebab(name)} must be a number ≥ 0`);
      knobs[name] = n;
    } else knobs[name] = raw;
  }
  return knobs as Partial<FaultKnobs>;
}

/** `--budget-requests n --budget-window-seconds s` (default Outlook's 10,000 per 600 s). */
function budgetFlags(flags: Record<string, string>): RequestBudget {
  const read = (name: string, fallback: number) => {
    const raw = flags[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a number > 0`);
    return n;
  };
  return { requests: read('budget-requests', OUTLOOK_REQUEST_BUDGET.requests), windowSeconds: read('budget-window-seconds', OUTLOOK_REQUEST_BUDGET.windowSeconds) };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const port = Number(flags.port ?? 4200);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number');
  const maxAge = flags['max-delta-token-age'];
  const emulator = await createGraphEmulator({
    dbFile: flags.db ?? '.data/graph.sqlite',
    port,
    faults: faultFlags(flags),
    maxDeltaTokenAgeSeconds: maxAge === undefined ? null : Number(maxAge),
    requestBudget: budgetFlags(flags),
  });
  console.log(`Graph emulator listening on http://127.0.0.1:${emulator.port}`);
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
