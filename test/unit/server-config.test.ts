// The sync server's configuration file: the example in the repository parses, bad input names its field.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, parseConfig } from '../../src/server/config';
import { emulatorServerConfig, parseArgs } from '../../scripts/start';

const example = () => JSON.parse(fs.readFileSync(path.join(__dirname, '../../server.example.json'), 'utf8'));

test('server.example.json parses, secrets from the environment, mailboxes in lower case', () => {
  process.env.ORO_SYNC_CLIENT_SECRET = 'oro-secret';
  process.env.GRAPH_SYNC_CLIENT_SECRET = 'graph-secret';
  process.env.DATABASE_URL = 'postgresql://orosync@db.contoso.com/orosync';
  const input = example();
  input.users[0].mailbox = 'Alice@Contoso.com';
  const config = parseConfig(input, '/srv/sync');
  expect(config.crm.clientSecret).toBe('oro-secret');
  expect(config.microsoft365.clientSecret).toBe('graph-secret');
  expect(config.users[0].mailbox).toBe('alice@contoso.com');
  expect(config.stateDir).toBe(path.resolve('/srv/sync', '.data/server'));
  expect(config.store).toEqual({ kind: 'postgres', url: 'postgresql://orosync@db.contoso.com/orosync' });
  delete process.env.DATABASE_URL;
});

test('a missing secret variable, /common as tenant and a mailbox listed twice are refused, each named', () => {
  delete process.env.ORO_SYNC_CLIENT_SECRET;
  const input = example();
  input.microsoft365.tenant = 'common';
  input.users.push({ crmUser: 'carol', mailbox: 'alice@contoso.com' });
  let message = '';
  try {
    parseConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    message = (error as Error).message;
  }
  expect(message).toContain('crm.clientSecret: environment variable ORO_SYNC_CLIENT_SECRET is not set');
  expect(message).toContain('microsoft365.tenant');
  expect(message).toContain('users.2.mailbox: alice@contoso.com is listed twice');
});

test('the config `npm start -- --server` writes for the emulators is valid', () => {
  const config = parseConfig(emulatorServerConfig(parseArgs(['--server'], {})));
  expect(config.users.map((u) => u.mailbox)).toEqual(['admin@acme.test', 'alice@acme.test', 'bob@acme.test']);
  expect(config.status.port).toBe(4300);
});

describe('store', () => {
  const withSecrets = () => {
    process.env.ORO_SYNC_CLIENT_SECRET = 'oro-secret';
    process.env.GRAPH_SYNC_CLIENT_SECRET = 'graph-secret';
    const input = example();
    delete input.store;
    return input;
  };
  afterEach(() => delete process.env.DATABASE_URL);

  test('is SQLite without a store and without DATABASE_URL (one worker, development)', () => {
    delete process.env.DATABASE_URL;
    expect(parseConfig(withSecrets()).store).toEqual({ kind: 'sqlite' });
  });

  test('DATABASE_URL chooses PostgreSQL, and fills a postgres store that names no url', () => {
    process.env.DATABASE_URL = 'postgres://sync@db.internal/orosync';
    expect(parseConfig(withSecrets()).store).toEqual({ kind: 'postgres', url: 'postgres://sync@db.internal/orosync' });
    expect(parseConfig({ ...withSecrets(), store: { kind: 'postgres', schema: 'sync' } }).store).toEqual({ kind: 'postgres', url: 'postgres://sync@db.internal/orosync', schema: 'sync' });
    expect(parseConfig({ ...withSecrets(), store: { kind: 'sqlite' } }).store).toEqual({ kind: 'sqlite' });
  });

  test('a PostgreSQL store without a url, with a non-PostgreSQL url or a bad schema is refused, each named', () => {
    delete process.env.DATABASE_URL;
    expect(() => parseConfig({ ...withSecrets(), store: { kind: 'postgres' } })).toThrow(/store\.url: a PostgreSQL store needs store\.url or DATABASE_URL/);
    expect(() => parseConfig({ ...withSecrets(), store: { kind: 'postgres', url: 'mysql://db/x' } })).toThrow(/store\.url: needs a postgres:\/\//);
    expect(() => parseConfig({ ...withSecrets(), store: { kind: 'postgres', url: 'postgres://db/x', schema: 'Bad-Name' } })).toThrow(/store\.schema/);
    expect(() => parseConfig({ ...withSecrets(), store: { kind: 'mongo' } })).toThrow(/store\.kind/);
  });
});
