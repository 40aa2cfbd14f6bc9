// Pane-side pieces of the CRM sign-in: PKCE, the dialog pages' checks, the Office dialog adapter,
// the token vault and the CRM URL rules.
import crypto from 'node:crypto';
import { OfficeMockObject } from 'office-addin-mock';

jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

import { validateCrmUrl } from '../../src/auth/connection';
import { syncDatabasePrefix } from '../../src/auth/connection-local-state';
import { buildAuthorizeUrl, codeFromAnswer, parseDialogAnswer, userFromAccessToken } from '../../src/auth/crm-oauth';
import { authStartUrl, crmRedirectUri } from '../../src/auth/crm-oauth-signin';
import { DialogError, officeAuthDialog } from '../../src/auth/office-dialog';
import { callbackAnswer, DIALOG_STATE_KEY, startRedirect } from '../../src/auth/pages/dialog-pages';
import { createPkcePair, createState } from '../../src/auth/pkce';
import { storageTokenVault, tokenStorageKey } from '../../src/auth/token-vault';
import { indexedDbName } from '../../src/store';
import { memoryStorage } from '../support/storage';

describe('PKCE', () => {
  test('the challenge is BASE64URL(SHA-256(verifier)) and the verifier has RFC 7636 length and alphabet', async () => {
    const { verifier, challenge, method } = await createPkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(challenge).toBe(crypto.createHash('sha256').update(verifier).digest('base64url'));
    expect(method).toBe('S256');
  });

  test('verifiers and states differ every time', async () => {
    const a = await createPkcePair();
    const b = await createPkcePair();
    expect(a.verifier).not.toBe(b.verifier);
    expect(createState()).not.toBe(createState());
  });
});

describe('dialog pages', () => {
  const authorize = buildAuthorizeUrl({ crmUrl: 'https://crm.example.com/', redirectUri: crmRedirectUri('https://addin.example.com/app'), challenge: 'c'.repeat(43), state: 'st-9' });

  test('the authorize URL asks Oro for a code with an S256 challenge, state and the add-in redirect', () => {
    const url = new URL(authorize);
    expect(url.origin + url.pathname).toBe('https://crm.example.com/oauth2-token/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'outlook-addin',
      redirect_uri: 'https://addin.example.com/app/auth-callback.html',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
      state: 'st-9',
    });
  });

  test('auth-start remembers the state and redirects to the authorize URL only', () => {
    const storage = memoryStorage();
    const start = new URL(authStartUrl('https://addin.example.com/app/', authorize));
    expect(start.pathname).toBe('/app/auth-start.html');
    expect(startRedirect(start.search, storage)).toBe(authorize);
    expect(storage.getItem(DIALOG_STATE_KEY)).toBe('st-9');
  });

  test.each([
    ['no authorize parameter', '?x=1', 'needs an authorize address'],
    ['a non-authorize page', `?authorize=${encodeURIComponent('https://evil.example/phish?state=s&code_challenge=x&code_challenge_method=S256')}`, 'not an OroCRM sign-in'],
    ['plain http to a real host', `?authorize=${encodeURIComponent(authorize.replace('https:', 'http:'))}`, 'must use https'],
    ['no PKCE challenge', `?authorize=${encodeURIComponent('https://crm.example.com/oauth2-token/authorize?state=s')}`, 'lacks its PKCE'],
  ])('auth-start refuses %s', (_name, search, message) => {
    expect(() => startRedirect(search, memoryStorage())).toThrow(message);
  });

  test('in production auth-start only goes to the configured CRM', () => {
    const start = new URL(authStartUrl('https://addin.example.com/app/', authorize));
    expect(startRedirect(start.search, memoryStorage(), ['https://crm.example.com'])).toBe(authorize);
    expect(() => startRedirect(start.search, memoryStorage(), ['https://other.example.com'])).toThrow('not set up to sign in to https://crm.example.com');
  });

  test('auth-callback relays the code when the state matches, once', () => {
    const storage = memoryStorage();
    storage.setItem(DIALOG_STATE_KEY, 'st-9');
    expect(callbackAnswer('?code=abc&state=st-9', storage)).toEqual({ type: 'code', code: 'abc', state: 'st-9' });
    // The state was used up: the same answer again is a mismatch.
    expect(callbackAnswer('?code=abc&state=st-9', storage)).toMatchObject({ type: 'error', error: 'state_mismatch' });
  });

  test('auth-callback turns a wrong state into state_mismatch and passes access_denied through', () => {
    const storage = memoryStorage();
    storage.setItem(DIALOG_STATE_KEY, 'st-9');
    expect(callbackAnswer('?code=abc&state=other', storage)).toMatchObject({ type: 'error', error: 'state_mismatch' });
    storage.setItem(DIALOG_STATE_KEY, 'st-9');
    expect(callbackAnswer('?error=access_denied&error_description=no&state=st-9', storage)).toEqual({ type: 'error', error: 'access_denied', description: 'no', state: 'st-9' });
  });

  test('the pane checks the state again and rejects unreadable messages', () => {
    expect(codeFromAnswer({ type: 'code', code: 'abc', state: 'st-9' }, 'st-9')).toBe('abc');
    expect(() => codeFromAnswer({ type: 'code', code: 'abc', state: 'st-8' }, 'st-9')).toThrow(expect.objectContaining({ reason: 'state-mismatch' }));
    expect(() => parseDialogAnswer('not json')).toThrow(expect.objectContaining({ reason: 'sign-in-failed' }));
    expect(() => parseDialogAnswer('{"type":"code"}')).toThrow(expect.objectContaining({ reason: 'sign-in-failed' }));
  });
});

describe('Office dialog adapter', () => {
  function officeWithDialog(behaviour: (handlers: Record<string, (arg: unknown) => void>) => void, openStatus: 'succeeded' | 'failed' = 'succeeded') {
    const closed = { count: 0 };
    const office = new OfficeMockObject({
      host: 'outlook',
      EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived' },
      context: {
        ui: {
          displayDialogAsync(_url: string, _opts: unknown, cb: (r: unknown) => void) {
            const handlers: Record<string, (arg: unknown) => void> = {};
            const dialog = { addEventHandler: (t: string, h: (arg: unknown) => void) => (handlers[t] = h), close: () => closed.count++ };
            if (openStatus === 'failed') return cb({ status: 'failed', error: { code: 12007, message: 'busy' } });
            cb({ status: 'succeeded', value: dialog });
            behaviour(handlers);
          },
        },
      },
    }) as unknown as typeof Office;
    return { dialog: officeAuthDialog(office), closed };
  }

  test('resolves with the first message and closes the dialog', async () => {
    const { dialog, closed } = officeWithDialog((h) => h.dialogMessageReceived({ message: '{"ok":1}' }));
    await expect(dialog.open('https://addin/x')).resolves.toBe('{"ok":1}');
    expect(closed.count).toBe(1);
  });

  test('12006 (the user closed it) becomes a "closed" DialogError', async () => {
    const { dialog } = officeWithDialog((h) => h.dialogEventReceived({ error: 12006 }));
    await expect(dialog.open('https://addin/x')).rejects.toEqual(expect.objectContaining({ failure: 'closed', code: 12006 }));
  });

  test('a dialog that cannot open (12007: one already open) is "blocked"', async () => {
    const { dialog } = officeWithDialog(() => undefined, 'failed');
    const error = await dialog.open('https://addin/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DialogError);
    expect(error).toMatchObject({ failure: 'blocked', code: 12007 });
  });

  test('outside Office there is no dialog, and a clear error says so', async () => {
    await expect(officeAuthDialog(undefined).open('https://addin/x')).rejects.toThrow('need Outlook');
  });
});

describe('token vault', () => {
  const tokens = { accessToken: 'a1', refreshToken: 'r1', expiresAt: 1000 };

  test('keys carry the partition prefix and the CRM URL; a new vault over the same storage reads them back', () => {
    const storage = memoryStorage();
    storageTokenVault(storage, 'pk:').save('https://crm.example.com/', tokens);
    expect([...storage.map.keys()]).toEqual(['pk:orocrm-outlook.crm-tokens:https://crm.example.com']);
    expect(tokenStorageKey('https://crm.example.com')).toBe('orocrm-outlook.crm-tokens:https://crm.example.com');
    expect(storageTokenVault(storage, 'pk:').load('https://crm.example.com')).toEqual(tokens);
    expect(storageTokenVault(storage, 'other:').load('https://crm.example.com')).toBeNull();
  });

  test('an unreadable entry is dropped, not trusted', () => {
    const storage = memoryStorage();
    storage.setItem(tokenStorageKey('https://crm.example.com'), '{"accessToken":"a"}');
    expect(storageTokenVault(storage).load('https://crm.example.com')).toBeNull();
    expect(storage.length).toBe(0);
  });

  test('a storage that refuses writes still keeps the tokens in memory', () => {
    const storage = memoryStorage();
    storage.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    const vault = storageTokenVault(storage);
    vault.save('https://crm.example.com', tokens);
    expect(vault.load('https://crm.example.com')).toEqual(tokens);
  });
});

describe('CRM URL rules', () => {
  const prod = { allowLoopbackHttp: false };
  const dev = { allowLoopbackHttp: true };

  test('an https URL is normalised without its trailing slash', () => {
    expect(validateCrmUrl(' https://crm.example.com/oro/ ', prod)).toBe('https://crm.example.com/oro');
  });

  test.each([
    ['', 'Enter your OroCRM address'],
    ['crm.example.com', 'is not a web address'],
    ['http://crm.example.com', 'must start with https://'],
    ['http://127.0.0.1:4100', 'must start with https://'],
    ['ftp://crm.example.com', 'must start with https://'],
    ['https://crm.example.com/?x=1', 'must not contain'],
    ['https://bob:pw@crm.example.com', 'Leave the user name and password out'],
  ])('in production %j is refused: %s', (typed, message) => {
    expect(() => validateCrmUrl(typed, prod)).toThrow(message);
  });

  test('development accepts http on localhost only', () => {
    expect(validateCrmUrl('http://127.0.0.1:4100/', dev)).toBe('http://127.0.0.1:4100');
    expect(validateCrmUrl('http://localhost:4100', dev)).toBe('http://localhost:4100');
    expect(() => validateCrmUrl('http://crm.example.com', dev)).toThrow('https://');
  });

  test('the local-state prefix matches the store\'s database names of that CRM only', () => {
    const name = indexedDbName({ crmUrl: 'https://crm.example.com', crmUser: 'alice', mailbox: 'a@b.c' }, 'pk:');
    expect(name.startsWith(syncDatabasePrefix('https://crm.example.com', 'pk:'))).toBe(true);
    expect(name.startsWith(syncDatabasePrefix('https://crm.example.co', 'pk:'))).toBe(false);
  });
});

test('a JWT access token names its user (fallback when the CRM has no profile resource); opaque tokens name nobody', () => {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  expect(userFromAccessToken(`${part({ alg: 'RS256' })}.${part({ sub: 'alice', aud: 'outlook-addin' })}.sig`)).toEqual({ username: 'alice', displayName: 'alice' });
  expect(userFromAccessToken('opaque-token')).toBeNull();
  expect(userFromAccessToken('a.b.c')).toBeNull();
});
