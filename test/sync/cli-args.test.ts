// The headless runner's argument parser: complete arguments pass, bad ones are refused naming the flag.
import { parseArgs, UsageError } from '../../src/cli/args';

const APP = ['--client-id', 'runner-app', '--client-secret', 's3cret'];
const BASE = ['--crm', 'http://127.0.0.1:4100/', '--graph', 'http://127.0.0.1:4200', '--user', 'alice', '--password', 'pw', ...APP, '--state', '/tmp/s.db'];
const NO_ENV = {};

test('complete arguments parse; the Graph sign-in defaults to the CRM one and the URL loses its trailing slash', () => {
  expect(parseArgs(BASE, NO_ENV)).toEqual({
    crmUrl: 'http://127.0.0.1:4100',
    graphUrl: 'http://127.0.0.1:4200',
    user: 'alice',
    password: 'pw',
    clientId: 'runner-app',
    clientSecret: 's3cret',
    graphUser: 'alice',
    graphPassword: 'pw',
    stateFile: '/tmp/s.db',
    settingsFile: '/tmp/s.settings.json',
    once: false,
    settingsPollSeconds: 60,
  });
  expect(parseArgs([...BASE, '--settings', '/tmp/mine.json'], NO_ENV).settingsFile).toBe('/tmp/mine.json');
  expect(parseArgs([...BASE, '--once', '--graph-user=bob', '--settings-poll', '5'], NO_ENV)).toMatchObject({ once: true, graphUser: 'bob', settingsPollSeconds: 5 });
});

test.each([
  ['--crm needs an http(s) URL, got "ftp://x"', ['--crm', 'ftp://x', ...BASE.slice(2)]],
  ['--state is required', BASE.slice(0, -2)],
  ['unknown flag --bogus', [...BASE, '--bogus', '1']],
  ['unexpected argument "extra"', [...BASE, 'extra']],
  ['--state needs a value', [...BASE.slice(0, -1), '--once']],
  ['--settings-poll needs a number of seconds', [...BASE, '--settings-poll', '0']],
  ['--settings-poll needs a number of seconds', [...BASE, '--settings-poll', 'soon']],
])('bad arguments are refused: %s', (message, argv) => {
  expect(() => parseArgs(argv, NO_ENV)).toThrow(UsageError);
  expect(() => parseArgs(argv, NO_ENV)).toThrow(message);
});

// Issue 11 #7: Oro gives the password grant only to a confidential application, so the runner needs both.
test('the OAuth application: flags, or ORO_CLIENT_ID / ORO_CLIENT_SECRET; flags win; an id without a secret is refused', () => {
  const withoutApp = BASE.filter((a) => !APP.includes(a));
  expect(parseArgs(withoutApp, { ORO_CLIENT_ID: 'env-app', ORO_CLIENT_SECRET: 'env-secret' })).toMatchObject({ clientId: 'env-app', clientSecret: 'env-secret' });
  expect(parseArgs(BASE, { ORO_CLIENT_ID: 'env-app', ORO_CLIENT_SECRET: 'env-secret' })).toMatchObject({ clientId: 'runner-app', clientSecret: 's3cret' });
  expect(() => parseArgs(withoutApp, NO_ENV)).toThrow(/--client-id and --client-secret .* are required: Oro allows the password grant only to a confidential OAuth application/);
  expect(() => parseArgs([...withoutApp, '--client-id', 'runner-app'], NO_ENV)).toThrow(UsageError);
});

test('a --settings-poll beyond what a timer can wait is refused instead of polling every millisecond', () => {
  expect(parseArgs([...BASE, '--settings-poll', '2147483'], NO_ENV).settingsPollSeconds).toBe(2147483);
  expect(() => parseArgs([...BASE, '--settings-poll', '2147484'], NO_ENV)).toThrow('--settings-poll needs a number of seconds from above 0 to 2147483, got "2147484"');
});

test('--help throws a UsageError with no message', () => {
  expect(() => parseArgs(['--help'])).toThrow(new UsageError(''));
});

test('--device-code: needs the app registration; tenant defaults to organizations; the authority is Microsoft’s for graph.microsoft.com, else the --graph origin', () => {
  expect(() => parseArgs([...BASE, '--device-code'], NO_ENV)).toThrow(/--device-code needs --graph-client-id/);
  expect(parseArgs([...BASE, '--device-code', '--graph-client-id', 'app-1'], NO_ENV).deviceCode).toEqual({ authority: 'http://127.0.0.1:4200', tenant: 'organizations', clientId: 'app-1' });
  const real = BASE.map((a) => (a === 'http://127.0.0.1:4200' ? 'https://graph.microsoft.com' : a));
  expect(parseArgs([...real, '--device-code', '--tenant', 'contoso.onmicrosoft.com'], { GRAPH_CLIENT_ID: 'app-2' }).deviceCode).toEqual({ authority: 'https://login.microsoftonline.com', tenant: 'contoso.onmicrosoft.com', clientId: 'app-2' });
  expect(() => parseArgs([...BASE, '--tenant', 'contoso'], NO_ENV)).toThrow('--tenant goes with --device-code');
  expect(parseArgs(BASE, NO_ENV).deviceCode).toBeUndefined();
});
