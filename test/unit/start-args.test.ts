// `npm start` flags (scripts/start.ts): defaults match the README and package.json, bad input is refused.
import { resolve } from 'node:path';
import { parseArgs } from '../../scripts/start';

describe('npm start arguments', () => {
  it('defaults to CRM 4100, Graph 4200, the dev server port from package.json config and .data/', () => {
    expect(parseArgs([], { npm_package_config_dev_server_port: '3000' })).toEqual({
      crmPort: 4100,
      graphPort: 4200,
      panePort: 3000,
      dataDir: resolve(__dirname, '..', '..', '.data'),
      server: false,
      serverPort: 4300,
    });
  });

  it('--server (no value) adds the sync server, with its status page port', () => {
    expect(parseArgs(['--server', '--server-port', '4301', '--crm-port', '5100'], {})).toMatchObject({ server: true, serverPort: 4301, crmPort: 5100 });
  });

  it('accepts other ports and a data folder', () => {
    expect(parseArgs(['--crm-port', '5100', '--graph-port', '5200', '--pane-port', '5000', '--data-dir', '/tmp/x'], {})).toMatchObject({
      crmPort: 5100,
      graphPort: 5200,
      panePort: 5000,
      dataDir: '/tmp/x',
    });
  });

  it('refuses unknown flags, stray arguments and non-port values with a message', () => {
    expect(() => parseArgs(['--port', '1'], {})).toThrow('unknown flag --port');
    expect(() => parseArgs(['4100'], {})).toThrow('unexpected argument "4100"');
    expect(() => parseArgs(['--crm-port'], {})).toThrow('--crm-port needs a value');
    expect(() => parseArgs(['--crm-port', '70000'], {})).toThrow('--crm-port needs a port number, got "70000"');
  });
});
