// `npm run crm -- --port <p> --db <file> [--stock] [fault flags]`: the CRM emulator as a process.
// Fault flags are the FaultKnobs in kebab case, e.g. --latency-ms 200 --rate429 0.1 --route-filter outlooksettings.
import { parseFlags } from '../common/http';
import { DEFAULT_KNOBS, type FaultKnobs } from '../common/faults';
import { createCrmEmulator } from './server';
import { DEFAULT_ORO_VERSION, formatOroVersion, parseOroVersion } from './release';

const USAGE = 'usage: npm run crm -- [--port 4100] [--db .data/crm.sqlite] [--stock] [--oro-version 7.0] [--cors-origin https://host:3000] [--latency-ms N] [--rate429 0..1] ...';

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

/** Flags that take a value; `--db` alone would otherwise become a database file named "true". */
const VALUE_FLAGS = ['port', 'db', 'cors-origin', 'oro-version'];

/** What is wrong with the command line's shape (a stray argument, a flag without its value), or null. */
export function argumentProblem(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) return `unexpected argument "${arg}"\n${USAGE}`;
    const name = arg.slice(2).split('=')[0];
    const inline = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined;
    const next = argv[i + 1];
    const value = inline ?? (next !== undefined && !next.startsWith('--') ? next : undefined);
    if (inline === undefined && value !== undefined) i++; // parseFlags takes it as this flag's value
    if (VALUE_FLAGS.includes(name) && (value === undefined || value.trim() === '')) return `--${name} needs a value\n${USAGE}`;
  }
  return null;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const problem = argumentProblem(argv);
  if (problem) throw new Error(problem);
  const flags = parseFlags(argv);
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(flags.port ?? 4100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port needs a port number, got "${flags.port}"`);
  const faults = faultsFromFlags(flags, ['port', 'db', 'stock', 'cors-origin', 'oro-version', 'help']);
  const oroVersion = flags['oro-version'] ?? DEFAULT_ORO_VERSION;
  parseOroVersion(oroVersion); // a bad value stops here, with its message
  const emulator = await createCrmEmulator({
    dbFile: flags.db ?? '.data/crm.sqlite',
    port,
    faults,
    stockOro: flags.stock === 'true',
    oroVersion,
    corsOrigins: flags['cors-origin'] ? flags['cors-origin'].split(',') : [],
  });
  console.log(`CRM emulator listening on http://127.0.0.1:${emulator.port}`);
  const origins = flags['cors-origin'] ? flags['cors-origin'].split(',') : [];
  console.log(origins.length ? `CORS (as docs/setup.md configures Oro) for ${origins.join(', ')}` : "CORS: Oro's default, no browser origin allowed (--cors-origin adds the pane's)");
  console.log(`Playing Oro ${formatOroVersion(parseOroVersion(oroVersion))}${flags.stock === 'true' ? ' (stock, without the add-in\'s extension)' : ' with the add-in\'s extension'}`);
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
