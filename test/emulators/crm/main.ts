// `npm run crm -- --port <p> --db <file> [--stock] [fault flags]`: the CRM emulator as a process.
// Fault flags are the FaultKnobs in kebab case, e.g. --latency-ms 200 --rate429 0.1 --route-filter outlooksettings.
import { parseFlags } from '../common/http';
import { DEFAULT_KNOBS, type FaultKnobs } from '../common/faults';
import { createCrmEmulator } from './server';

const USAGE = 'usage: npm run crm -- [--port 4100] [--db .data/crm.sqlite] [--stock] [--cors-origin https://host:3000] [--latency-ms N] [--rate429 0..1] ...';

function kebabToCamel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Maps --latency-ms style flags onto FaultKnobs; rejects unknown flags and bad values with a message. */
export function faultsFromFlags(flags: Record<string, string>, handled: string[]): Partial<FaultKnobs> {
  const knobs: Partial<FaultKnobs> = {};
  for (const [flag, text] of Object.entries(flags)) {
    if (handled.includes(flag)) continue;
    const name = kebabToCamel(flag) as keyof FaultKnobs;
    if (!(name in DEFAULT_KNOBS)) throw new Error(`unknown flag --${flag}\n${USAGE}\nfault flags: ${Object.keys(DEFAULT_KNOBS).join(', ')} (in kebab case)`);
    const kind = typeof DEFAULT_KNOBS[name];
    let value: unknown = text;
    if (kind === 'number') {
      value = Number(text);
      if (!Number.isFinite(value as number) || (value as number) < 0) throw new Error(`--${flag} needs a number ≥ 0, got "${text}"`);
    } else if (kind === 'boolean') {
      if (text !== 'true' && text !== 'false') throw new Error(`--${flag} is true or false, got "${text}"`);
      value = text === 'true';
    }
    (knobs as Record<string, unknown>)[name] = value;
  }
  return knobs;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(flags.port ?? 4100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port needs a port number, got "${flags.port}"`);
  const faults = faultsFromFlags(flags, ['port', 'db', 'stock', 'cors-origin', 'help']);
  const emulator = await createCrmEmulator({
    dbFile: flags.db ?? '.data/crm.sqlite',
    port,
    faults,
    stockOro: flags.stock === 'true',
    corsOrigins: flags['cors-origin'] ? flags['cors-origin'].split(',') : [],
  });
  console.log(`CRM emulator listening on http://127.0.0.1:${emulator.port}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
