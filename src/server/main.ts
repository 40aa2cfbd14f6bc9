// `npm run server -- --config server.json`: the organization-wide sync server (docs/server.md).
//   --config <file>   the configuration (default server.json; example: server.example.json)
//   --worker <id>     run one worker in this process only (more workers on other machines, same Redis)
// REDIS_URL names Redis (or Valkey). Without it (development) a local redis-server is started, its
// data under <stateDir>/redis; it is found on PATH or, as root on Debian/Ubuntu, installed first.
// Exit codes: 0 stopped, 1 could not start, 2 bad arguments or configuration.
import path from 'node:path';
import { ConfigError, loadConfig, type ServerConfig } from './config';
import { startLocalRedis, type LocalRedis } from './redis';
import { startServer } from './server';
import { startWorker } from './worker';

const USAGE = 'usage: npm run server -- [--config server.json] [--worker <id>]';

function parseArgs(argv: string[]): { configFile: string; worker: string | null } {
  let configFile = 'server.json';
  let worker: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') throw new ConfigError(USAGE);
    const value = argv[i + 1];
    if ((a === '--config' || a === '--worker') && (!value || value.startsWith('--'))) throw new ConfigError(`${a} needs a value\n${USAGE}`);
    if (a === '--config') configFile = argv[++i];
    else if (a === '--worker') worker = argv[++i];
    else throw new ConfigError(`unknown argument "${a}"\n${USAGE}`);
  }
  if (worker !== null && !/^[A-Za-z0-9_.-]{1,60}$/.test(worker)) throw new ConfigError('--worker needs a name of letters, digits, "-", "_" or "."');
  return { configFile, worker };
}

async function redisFor(config: ServerConfig): Promise<{ url: string; local: LocalRedis | null }> {
  const url = process.env.REDIS_URL?.trim();
  if (url) return { url, local: null };
  const dir = path.join(config.stateDir, 'redis');
  console.log(`REDIS_URL is not set: starting a local redis-server for development (data in ${dir}).`);
  const local = await startLocalRedis({ dir, log: (l) => console.log(l) });
  console.log(`Local Redis at ${local.url}.`);
  return { url: local.url, local };
}

function onStop(stop: () => Promise<void>): void {
  let signals = 0;
  const handler = (name: string) => {
    if (++signals > 1) {
      console.error(`${name} again: exiting now.`);
      process.exit(130);
    }
    console.log(`${name}: stopping after the running jobs…`);
    void stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`error while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  let config: ServerConfig;
  try {
    args = parseArgs(process.argv.slice(2));
    config = loadConfig(args.configFile);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `error: ${String(error)}`);
    process.exit(2);
  }
  const prefix = process.env.ORO_SYNC_PREFIX?.trim() || 'orocrm-sync';
  if (args.worker) {
    const url = process.env.REDIS_URL?.trim();
    if (!url) {
      console.error('A worker on its own needs REDIS_URL (the Redis of the server it joins).');
      process.exit(2);
    }
    const worker = await startWorker({ config, redisUrl: url, workerId: args.worker, prefix });
    onStop(() => worker.close());
    return;
  }
  let redis: Awaited<ReturnType<typeof redisFor>>;
  try {
    redis = await redisFor(config);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const server = await startServer({ config, configFile: path.resolve(args.configFile), redisUrl: redis.url, prefix });
  onStop(async () => {
    await server.close();
    await redis.local?.stop();
  });
}

if (require.main === module) void main();
