// `npm start`: the add-in with both emulators and demo data, for a first look or manual testing.
// Starts the CRM emulator (.data/crm.sqlite, :4100), the Graph emulator (.data/graph.sqlite, :4200) and the
// webpack dev server (:3000), waits until each answers, prints the standalone pane's URL and the demo
// sign-in, and stops them all on Ctrl-C. A child that fails to start is named with its last output.
//
// With --server it also runs the organization-wide sync server (`npm run server`, docs/server.md) for
// alice, bob and admin against the emulators, with its status page on :4300 and its own local Redis.
//
//   npm start [-- --crm-port 4100 --graph-port 4200 --pane-port 3000 --data-dir .data --server --server-port 4300]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { DEMO_GRAPH_APP, DEMO_SERVER_OAUTH_CLIENT, DEMO_TENANT, DEMO_USERS } from '../test/emulators/demo-data';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
// `node --import tsx` runs the emulators' TypeScript in one process (the tsx CLI would add a second).
const TSX_IMPORT = ['--import', 'tsx'];
const WEBPACK_CLI = require.resolve('webpack-cli/bin/cli.js', { paths: [ROOT] });
const READY_TIMEOUT_MS = { emulator: 60_000, pane: 240_000, server: 600_000 }; // the server may install redis-server first // the first webpack compile is the slow one

interface Options {
  crmPort: number;
  graphPort: number;
  panePort: number;
  dataDir: string;
  /** Also run the sync server (npm run server) on the emulators. */
  server: boolean;
  serverPort: number;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    if (arg === '--server') {
      flags.set('server', 'yes');
      continue;
    }
    if (argv[i + 1] === undefined) throw new UsageError(`${arg} needs a value`);
    flags.set(arg.slice(2), argv[++i]);
  }
  const known = ['crm-port', 'graph-port', 'pane-port', 'data-dir', 'server', 'server-port'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new UsageError(`unknown flag --${name}`);
  const port = (name: string, fallback: number) => {
    const text = flags.get(name);
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 1 || value > 65535) throw new UsageError(`--${name} needs a port number, got "${text}"`);
    return value;
  };
  return {
    crmPort: port('crm-port', 4100),
    graphPort: port('graph-port', 4200),
    panePort: port('pane-port', Number(env.npm_package_config_dev_server_port) || 3000),
    dataDir: resolve(ROOT, flags.get('data-dir') ?? '.data'),
    server: flags.has('server'),
    serverPort: port('server-port', 4300),
  };
}

class UsageError extends Error {}
const USAGE = 'usage: npm start [-- --crm-port 4100 --graph-port 4200 --pane-port 3000 --data-dir .data --server --server-port 4300]';

/** The sync server's config for the emulators: the demo integration user and app registration, every demo user. */
export function emulatorServerConfig(options: Options): object {
  const graphUrl = `http://127.0.0.1:${options.graphPort}`;
  return {
    crm: { url: `http://127.0.0.1:${options.crmPort}`, clientId: DEMO_SERVER_OAUTH_CLIENT.clientId, clientSecret: DEMO_SERVER_OAUTH_CLIENT.secret },
    microsoft365: { tenant: DEMO_TENANT.id, clientId: DEMO_GRAPH_APP.clientId, clientSecret: DEMO_GRAPH_APP.secret, authority: graphUrl, graphUrl: `${graphUrl}/v1.0` },
    users: DEMO_USERS.map((u) => ({ crmUser: u.username, mailbox: u.email })),
    stateDir: join(options.dataDir, 'server'),
    workers: { processes: 2, concurrency: 8 },
    status: { host: '127.0.0.1', port: options.serverPort },
  };
}

interface Service {
  name: string;
  /** What to tell the user when it's missing or broken. */
  label: string;
  command: string[];
  env?: NodeJS.ProcessEnv;
  /** Answers once the service is up (any HTTP status counts for the emulators). */
  readyUrl: string;
  timeoutMs: number;
  /** Required source file; without it the service can't start. */
  entry: string;
  /** Optional services only warn when their entry is missing. */
  optional?: boolean;
}

interface Running {
  service: Service;
  child: ChildProcess;
  /** Last lines of output, for failure messages. */
  tail: string[];
  exited: Promise<number | null>;
}

function services(options: Options): Service[] {
  const crmUrl = `http://127.0.0.1:${options.crmPort}`;
  const graphUrl = `http://127.0.0.1:${options.graphPort}`;
  return [
    {
      name: 'crm',
      label: 'CRM emulator',
      entry: 'test/emulators/crm/main.ts',
      // Oro allows no browser origin by default: the pane's, configured as docs/setup.md says.
      command: [
        ...TSX_IMPORT,
        'test/emulators/crm/main.ts',
        '--port',
        String(options.crmPort),
        '--db',
        join(options.dataDir, 'crm.sqlite'),
        '--cors-origin',
        `http://localhost:${options.panePort},http://127.0.0.1:${options.panePort}`,
      ],
      readyUrl: `${crmUrl}/`,
      timeoutMs: READY_TIMEOUT_MS.emulator,
    },
    {
      name: 'graph',
      label: 'Graph emulator',
      entry: 'test/emulators/graph/main.ts',
      optional: true, // the settings pane works without it; sync needs it
      command: [...TSX_IMPORT, 'test/emulators/graph/main.ts', '--port', String(options.graphPort), '--db', join(options.dataDir, 'graph.sqlite')],
      readyUrl: `${graphUrl}/`,
      timeoutMs: READY_TIMEOUT_MS.emulator,
    },
    {
      name: 'pane',
      label: 'webpack dev server',
      entry: 'webpack.config.js',
      command: [WEBPACK_CLI, 'serve', '--mode', 'development', '--port', String(options.panePort)],
      // The pane's defaults point at these emulators (DefinePlugin, scripts/addin-config.js).
      env: { ADDIN_CRM_URL: crmUrl, ADDIN_GRAPH_URL: graphUrl },
      readyUrl: `http://localhost:${options.panePort}/taskpane.html`,
      timeoutMs: READY_TIMEOUT_MS.pane,
    },
    ...(options.server
      ? [
          {
            name: 'server',
            label: 'sync server',
            entry: 'src/server/main.ts',
            command: [...TSX_IMPORT, 'src/server/main.ts', '--config', join(options.dataDir, 'server.json')],
            // Without REDIS_URL the server starts a local redis-server of its own (data in <data-dir>/server/redis).
            readyUrl: `http://127.0.0.1:${options.serverPort}/`,
            timeoutMs: READY_TIMEOUT_MS.server,
          },
        ]
      : []),
  ];
}

function launch(service: Service): Running {
  const child = spawn(process.execPath, service.command, {
    cwd: ROOT,
    env: { ...process.env, ...service.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const relay = (chunk: Buffer) => {
    for (const line of chunk.toString().split(/\r?\n/)) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      process.stdout.write(`[${service.name}] ${line}\n`);
    }
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  const exited = new Promise<number | null>((done) => {
    child.on('error', (error) => {
      tail.push(error.message);
      done(-1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : null)));
  });
  return { service, child, tail, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answers(url: string, expectOk: boolean): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return expectOk ? response.ok : true;
  } catch {
    return false;
  }
}

/** Resolves when the service answers; rejects with the reason when it exits or times out first. */
async function waitUntilReady(running: Running): Promise<void> {
  const { service } = running;
  let exitCode: number | null | undefined;
  void running.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + service.timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new StartError(service, `it exited with code ${exitCode} before answering`, running.tail);
    if (await answers(service.readyUrl, service.name === 'pane')) return;
    await sleep(300);
  }
  throw new StartError(service, `it did not answer ${service.readyUrl} within ${service.timeoutMs / 1000} s`, running.tail);
}

class StartError extends Error {
  constructor(service: Service, why: string, tail: string[]) {
    const output = tail.length ? `\n  its last output:\n${tail.slice(-10).map((l) => `    ${l}`).join('\n')}` : '';
    super(`The ${service.label} failed to start: ${why}.${output}`);
  }
}

async function portTaken(port: number): Promise<boolean> {
  return (await answers(`http://127.0.0.1:${port}/`, false)) || (await answers(`http://localhost:${port}/`, false));
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message ? `${error.message}\n${USAGE}` : USAGE);
    return error.message ? 2 : 0;
  }
  mkdirSync(options.dataDir, { recursive: true });
  if (options.server) writeFileSync(join(options.dataDir, 'server.json'), JSON.stringify(emulatorServerConfig(options), null, 2));

  const wanted: Service[] = [];
  for (const service of services(options)) {
    if (existsSync(join(ROOT, service.entry))) wanted.push(service);
    else if (service.optional) console.warn(`! The ${service.label} is not available yet (${service.entry} is missing): starting without it.`);
    else {
      console.error(`The ${service.label} cannot start: ${service.entry} is missing.`);
      return 1;
    }
  }
  const ports: Record<string, number> = { crm: options.crmPort, graph: options.graphPort, pane: options.panePort, server: options.serverPort };
  for (const service of wanted) {
    if (await portTaken(ports[service.name])) {
      console.error(`The ${service.label} cannot start: port ${ports[service.name]} is already in use (another npm start?). Stop it or pass --${service.name}-port.`);
      return 1;
    }
  }

  const running = wanted.map(launch);
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
    const forced = setTimeout(() => running.forEach((r) => r.child.kill('SIGKILL')), 5000);
    await Promise.all(running.map((r) => r.exited));
    clearTimeout(forced);
  };
  const onSignal = () => {
    if (stopping) return;
    console.log('\nStopping…');
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await Promise.all(running.map(waitUntilReady));
  } catch (error) {
    console.error(`\n${(error as Error).message}`);
    await stopAll();
    return 1;
  }

  const crm = `http://127.0.0.1:${options.crmPort}`;
  console.log(
    [
      '',
      'OroCRM Sync for Outlook is running.',
      `  Pane (standalone):           http://localhost:${options.panePort}/taskpane.html`,
      `  CRM emulator:                ${crm}   (data: ${join(options.dataDir, 'crm.sqlite')})`,
      wanted.some((s) => s.name === 'graph')
        ? `  Graph emulator:              http://127.0.0.1:${options.graphPort}   (data: ${join(options.dataDir, 'graph.sqlite')})`
        : '  Graph emulator:              not started',
      `  Sign in with CRM URL ${crm}, user alice, password alice (bob/bob and admin/admin work too).`,
      wanted.some((s) => s.name === 'graph')
        ? `  The pane then syncs alice's data both ways; watch ${crm}/_view and http://127.0.0.1:${options.graphPort}/ (the emulators' read-only views).`
        : '  Sync needs the Graph emulator; the pane shows settings only.',
      options.server
        ? `  Sync server:                 http://127.0.0.1:${options.serverPort}/   (syncs alice, bob and admin with no pane open; a pane follows it)`
        : '  Sync server:                 not started (npm start -- --server)',
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  // A child that dies later takes the others down with it, with a message saying which.
  const first = await Promise.race(running.map((r) => r.exited.then((code) => ({ r, code }))));
  await sleep(200); // on Ctrl-C the terminal signals the children too; let our own handler win the race
  if (stopping) return 0;
  console.error(`\nThe ${first.r.service.label} stopped unexpectedly (exit code ${first.code}); stopping the rest.`);
  await stopAll();
  return 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack ?? error.message : error);
      process.exit(1);
    },
  );
}
