// The headless runner's argument parser: complete arguments pass, bad ones are refused naming the flag.
import { parseArgs, UsageError } from '../../src/cli/args';

const BASE = ['--crm', 'http://127.0.0.1:4100/', '--graph', 'http://127.0.0.1:4200', '--user', 'alice', '--password', 'pw', '--state', '/tmp/s.db'];

test('complete arguments parse; the Graph sign-in defaults to the CRM one and the URL loses its trailing slash', () => {
  expect(parseArgs(BASE)).toEqual({
    crmUrl: 'http://127.0.0.1:4100',
    graphUrl: 'http://127.0.0.1:4200',
    user: 'alice',
    password: 'pw',
    graphUser: 'alice',
    graphPassword: 'pw',
    stateFile: '/tmp/s.db',
    settingsFile: '/tmp/s.settings.json',
    once: false,
    settingsPollSeconds: 60,
  });
  expect(parseArgs([...BASE, '--settings', '/tmp/mine.json']).settingsFile).toBe('/tmp/mine.json');
  expect(parseArgs([...BASE, '--once', '--graph-user=bob', '--settings-poll', '5'])).toMatchObject({ once: true, graphUser: 'bob', settingsPollSeconds: 5 });
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
  expect(() => parseArgs(argv)).toThrow(UsageError);
  expect(() => parseArgs(argv)).toThrow(message);
});

test('a --settings-poll beyond what a timer can wait is refused instead of polling every millisecond', () => {
  expect(parseArgs([...BASE, '--settings-poll', '2147483']).settingsPollSeconds).toBe(2147483);
  expect(() => parseArgs([...BASE, '--settings-poll', '2147484'])).toThrow('--settings-poll needs a number of seconds from above 0 to 2147483, got "2147484"');
});

test('--help throws a UsageError with no message', () => {
  expect(() => parseArgs(['--help'])).toThrow(new UsageError(''));
});
