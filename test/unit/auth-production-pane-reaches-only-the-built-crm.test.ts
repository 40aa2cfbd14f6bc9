// A production pane can reach only the CRM it was built for (its CSP allows no other): another address is
// refused on the connect screen with a clear message, before any sign-in window; a URL kept in
// roamingSettings that this pane cannot use (another CRM, a dev build's http://localhost) means "not connected".
import { OfficeMockObject } from 'office-addin-mock';

jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

import { validateCrmUrl, CRM_URL_SETTING, storageConnectionStore } from '../../src/auth/connection';
import { ConnectionManager } from '../../src/auth/connection-manager';
import type { AuthDialog } from '../../src/auth/office-dialog';
import { memoryTokenVault } from '../../src/auth/token-vault';
import { createOutlookConnection } from '../../src/taskpane/host-connection';
import { memoryStorage } from '../support/storage';

const built = { allowLoopbackHttp: false, allowedOrigins: ['https://crm.contoso.com'] };

describe('CRM URL rules with the build\'s CRM', () => {
  test('the built CRM is accepted, with or without a path', () => {
    expect(validateCrmUrl('https://crm.contoso.com/', built)).toBe('https://crm.contoso.com');
    expect(validateCrmUrl('https://crm.contoso.com/oro/', built)).toBe('https://crm.contoso.com/oro');
  });

  test.each([
    ['https://crm.fabrikam.com', 'set up for https://crm.contoso.com and cannot reach https://crm.fabrikam.com'],
    ['https://crm.contoso.com:8443', 'cannot reach https://crm.contoso.com:8443'],
    ['http://crm.contoso.com', 'must start with https://'],
  ])('%s is refused: %s', (typed, message) => {
    expect(() => validateCrmUrl(typed, built)).toThrow(message);
  });

  test('a build without a CRM address refuses every CRM and says why', () => {
    expect(() => validateCrmUrl('https://crm.contoso.com', { allowLoopbackHttp: false, allowedOrigins: [] })).toThrow('built without a CRM address');
  });
});

class CountingDialog implements AuthDialog {
  opened = 0;
  async open(): Promise<string> {
    this.opened++;
    throw new Error('no dialog in this test');
  }
}

describe('ConnectionManager with a kept URL', () => {
  function manager(kept: string) {
    const local = memoryStorage();
    local.setItem(CRM_URL_SETTING, kept);
    return new ConnectionManager({
      store: storageConnectionStore(local),
      vault: memoryTokenVault(),
      dialog: new CountingDialog(),
      addinBaseUrl: 'https://addin.contoso.com/',
      rules: built,
      clearLocalState: async () => undefined,
    });
  }

  test('a kept URL of the built CRM is the connection', () => {
    expect(manager('https://crm.contoso.com').view()).toMatchObject({ kind: 'sign-in-required', crmUrl: 'https://crm.contoso.com' });
  });

  test.each(['https://crm.fabrikam.com', 'http://localhost:4100', 'not a url'])('a kept %j this pane cannot use means "not connected"', (kept) => {
    expect(manager(kept).view()).toEqual({ kind: 'not-connected' });
  });
});

describe('the Outlook pane as built for production', () => {
  const saved = process.env.ADDIN_CRM_URL;
  beforeEach(() => {
    process.env.ADDIN_CRM_URL = 'https://crm.contoso.com';
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.ADDIN_CRM_URL;
    else process.env.ADDIN_CRM_URL = saved;
  });

  function outlook() {
    const roaming: Record<string, unknown> = {};
    const dialogs: string[] = [];
    const office = new OfficeMockObject({
      host: 'outlook',
      context: {
        roamingSettings: {
          get: (k: string) => roaming[k],
          set: (k: string, v: unknown) => void (roaming[k] = v),
          remove: (k: string) => void delete roaming[k],
          saveAsync: (cb: (r: { status: string }) => void) => cb({ status: 'succeeded' }),
        },
        ui: {
          displayDialogAsync: (url: string, _o: unknown, cb: (r: unknown) => void) => {
            dialogs.push(url);
            cb({ status: 'failed', error: { code: 12006, message: 'closed' } });
          },
        },
      },
    }) as unknown as typeof Office;
    return { office, roaming, dialogs };
  }

  test('another CRM is refused before any sign-in window, and nothing is kept', async () => {
    const { office, roaming, dialogs } = outlook();
    const pane = createOutlookConnection(office, { hostname: 'addin.contoso.com', href: 'https://addin.contoso.com/taskpane.html' });
    await expect(pane.connect('https://crm.fabrikam.com')).rejects.toThrow('cannot reach https://crm.fabrikam.com');
    expect(dialogs).toEqual([]);
    expect(roaming).toEqual({});
    expect(pane.view()).toEqual({ kind: 'not-connected' });
  });

  test('the built CRM goes on to the sign-in window', async () => {
    const { office, roaming, dialogs } = outlook();
    const pane = createOutlookConnection(office, { hostname: 'addin.contoso.com', href: 'https://addin.contoso.com/taskpane.html' });
    await expect(pane.connect('https://crm.contoso.com')).rejects.toMatchObject({ reason: 'dialog-closed' });
    expect(dialogs).toHaveLength(1);
    expect(new URL(dialogs[0]).origin + new URL(dialogs[0]).pathname).toBe('https://addin.contoso.com/auth-start.html');
    expect(roaming).toEqual({ [CRM_URL_SETTING]: 'https://crm.contoso.com' });
  });

  test('served from this machine (dev mode) any CRM, and http on localhost, is accepted', async () => {
    const { office, dialogs } = outlook();
    const pane = createOutlookConnection(office, { hostname: 'localhost', href: 'https://localhost:3000/taskpane.html' });
    await expect(pane.connect('http://localhost:4100')).rejects.toMatchObject({ reason: 'dialog-closed' });
    await expect(pane.connect('https://crm.fabrikam.com')).rejects.toMatchObject({ reason: 'dialog-closed' });
    expect(dialogs).toHaveLength(2);
  });
});
