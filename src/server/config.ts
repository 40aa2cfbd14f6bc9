// The sync server's configuration file (docs/server.md; example: server.example.json). Bad input is
// refused here with a message naming the field, so the rest of the server sees a complete ServerConfig.
// Secrets may stay out of the file: `"clientSecret": "env:NAME"` reads environment variable NAME.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { normalizeMailbox } from '../outlook/mailbox';

const secret = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    if (!value.startsWith('env:')) return value;
    const name = value.slice(4);
    const found = process.env[name];
    if (!found) {
      ctx.addIssue({ code: 'custom', message: `environment variable ${name} is not set` });
      return z.NEVER;
    }
    return found;
  });

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'needs an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

const configSchema = z.object({
  crm: z.object({
    /** OroCRM base URL. */
    url: httpUrl,
    /** The integration user's OAuth application (grant type Client Credentials). */
    clientId: z.string().min(1),
    clientSecret: secret,
  }),
  microsoft365: z.object({
    /** Tenant id (GUID) or its domain; never common/organizations (client credentials need a tenant). */
    tenant: z.string().min(1).refine((t) => !['common', 'organizations', 'consumers'].includes(t.toLowerCase()), 'must name one tenant (its id or domain), not common/organizations'),
    clientId: z.string().min(1),
    clientSecret: secret,
    /** Where tokens come from: https://login.microsoftonline.com, or the Graph emulator's origin. */
    authority: httpUrl.default('https://login.microsoftonline.com'),
    /** Graph's version root: https://graph.microsoft.com/v1.0, or the emulator's /v1.0. */
    graphUrl: httpUrl.default('https://graph.microsoft.com/v1.0'),
  }),
  users: z
    .array(
      z.object({
        /** The CRM user name. */
        crmUser: z.string().min(1),
        /** The mailbox's primary SMTP address: the name the pane and the lease use (src/outlook/mailbox.ts). */
        mailbox: z.string().email().transform(normalizeMailbox),
        /** How Graph addresses it (`/users/{id|userPrincipalName}`), when the UPN differs from the address. */
        graphUser: z.string().min(1).optional(),
      }),
    )
    .min(1)
    .superRefine((users, ctx) => {
      const seen = new Set<string>();
      users.forEach((u, i) => {
        if (seen.has(u.mailbox)) ctx.addIssue({ code: 'custom', path: [i, 'mailbox'], message: `${u.mailbox} is listed twice` });
        seen.add(u.mailbox);
      });
    }),
  /**
   * Where the sync state lives. PostgreSQL: one database every worker shares (url, or DATABASE_URL).
   * SQLite: a file per worker under stateDir, shared through the CRM before and after every job (one
   * worker, development). Without `store`, DATABASE_URL chooses PostgreSQL, else SQLite.
   */
  store: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('sqlite') }),
      z.object({
        kind: z.literal('postgres'),
        url: secret.refine((u) => /^postgres(ql)?:\/\//.test(u), 'needs a postgres:// or postgresql:// URL').optional(),
        /** A schema of its own (several servers in one database, tests); default public. */
        schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_"').optional(),
      }),
    ])
    .optional(),
  /** Where each worker keeps its SQLite state (one file per worker) and the local Redis its data. Relative to the config file. */
  stateDir: z.string().min(1).default('.data/server'),
  workers: z
    .object({
      /** Worker processes `npm run server` starts (more can run elsewhere with --worker). */
      processes: z.number().int().min(0).max(64).default(2),
      /** Jobs one worker runs at once (different mailboxes; one mailbox never twice, see the lease). */
      concurrency: z.number().int().min(1).max(200).default(8),
    })
    .default({ processes: 2, concurrency: 8 }),
  /** The status page; 0 = a free port. */
  status: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(4300) }).default({ host: '127.0.0.1', port: 4300 }),
  /** Tuning, mostly for tests; docs/server.md explains each. */
  timing: z
    .object({
      /** The sync lease's period (5..600 s); a killed worker's mailboxes wait at most this long. */
      leaseSeconds: z.number().int().min(5).max(600).default(60),
      /** BullMQ's job lock: a job whose worker died is run again after about this long. */
      jobLockSeconds: z.number().int().min(2).max(600).default(30),
      /** Retries of one failing job, with exponential backoff from retryDelaySeconds. */
      attempts: z.number().int().min(1).max(20).default(3),
      retryDelaySeconds: z.number().min(0.1).max(3600).default(5),
      /** A mailbox failing again and again waits up to this long between checks (and is reported). */
      maxMailboxBackoffSeconds: z.number().int().min(1).max(86400).default(3600),
    })
    .default({ leaseSeconds: 60, jobLockSeconds: 30, attempts: 3, retryDelaySeconds: 5, maxMailboxBackoffSeconds: 3600 }),
});

export type StoreConfig = { kind: 'sqlite' } | { kind: 'postgres'; url: string; schema?: string };
export type ServerConfig = Omit<z.infer<typeof configSchema>, 'store'> & { store: StoreConfig };
export type ServerUser = ServerConfig['users'][number];

export class ConfigError extends Error {}

/** Parses a config object; `baseDir` resolves a relative stateDir. */
export function parseConfig(input: unknown, baseDir = process.cwd()): ServerConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new ConfigError(`invalid server configuration:\n  ${lines.join('\n  ')}`);
  }
  return { ...parsed.data, store: storeOf(parsed.data.store), stateDir: path.resolve(baseDir, parsed.data.stateDir) };
}

function storeOf(given: z.infer<typeof configSchema>['store'], env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const fromEnv = env.DATABASE_URL?.trim();
  if (!given) return fromEnv ? { kind: 'postgres', url: fromEnv } : { kind: 'sqlite' };
  if (given.kind === 'sqlite') return given;
  const url = given.url ?? fromEnv;
  if (!url) throw new ConfigError('invalid server configuration:\n  store.url: a PostgreSQL store needs store.url or DATABASE_URL');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('invalid server configuration:\n  DATABASE_URL: needs a postgres:// or postgresql:// URL');
  return { kind: 'postgres', url, ...(given.schema ? { schema: given.schema } : {}) };
}

export function loadConfig(file: string): ServerConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseConfig(json, path.dirname(path.resolve(file)));
}
