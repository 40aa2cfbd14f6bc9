import { DevPasswordSignIn, normalizeCrmUrl } from '../../src/auth/dev-sign-in';
import { SESSION_STORAGE_KEY, storageSessionKeeper } from '../../src/auth/session-keeper';
import { AuthenticationError } from '../../src/sync/errors';
import { memoryStorage } from '../support/storage';

/** Oro's token endpoint for one user (password = username), answering like oro-api.md §6. */
const tokenEndpoint: typeof fetch = async (input, init) => {
  const url = String(input);
  const form = new URLSearchParams(String(init?.body ?? ''));
  if (!url.endsWith('/oauth2-token')) return new Response('', { status: 404 });
  if (form.get('grant_type') === 'password' && form.get('username') === 'alice' && form.get('password') === 'alice') {
    return Response.json({ token_type: 'Bearer', expires_in: 3600, access_token: 'token-1', refresh_token: 'refresh-1' });
  }
  return Response.json({ error: 'invalid_grant', error_description: 'The user credentials were incorrect.' }, { status: 400 });
};

describe('dev sign-in', () => {
  test.each([
    ['http://127.0.0.1:4100/', 'http://127.0.0.1:4100'],
    ['  https://crm.example.com/oro//  ', 'https://crm.example.com/oro'],
  ])('the CRM URL "%s" is normalized to "%s"', (typed, expected) => {
    expect(normalizeCrmUrl(typed)).toBe(expected);
  });

  test.each([
    ['crm.example.com', /is not a URL/],
    ['ftp://crm.example.com', /http:\/\/ or https:\/\//],
    ['http://crm.example.com/?x=1', /query/],
  ])('the CRM URL "%s" is refused with a clear message', (typed, message) => {
    expect(() => normalizeCrmUrl(typed)).toThrow(message);
  });

  test('a wrong password is reported and nothing is kept', async () => {
    const storage = memoryStorage();
    const signIn = new DevPasswordSignIn({ keeper: storageSessionKeeper(storage), fetch: tokenEndpoint });
    await expect(signIn.signIn({ crmUrl: 'http://127.0.0.1:4100', username: 'alice', password: 'nope' })).rejects.toThrow(AuthenticationError);
    expect(storage.map.size).toBe(0);
  });

  test('signing in keeps the URL, user and access token (never the password) for the tab; sign-out forgets them', async () => {
    const storage = memoryStorage();
    const signIn = new DevPasswordSignIn({ keeper: storageSessionKeeper(storage), fetch: tokenEndpoint });
    const session = await signIn.signIn({ crmUrl: 'http://127.0.0.1:4100/', username: ' alice ', password: 'alice' });
    expect(session).toMatchObject({ crmUrl: 'http://127.0.0.1:4100', username: 'alice' });
    expect(JSON.parse(storage.map.get(SESSION_STORAGE_KEY)!)).toEqual({ crmUrl: 'http://127.0.0.1:4100', username: 'alice', accessToken: 'token-1' });

    const resumed = new DevPasswordSignIn({ keeper: storageSessionKeeper(storage), fetch: tokenEndpoint }).resume();
    expect(resumed).toMatchObject({ crmUrl: 'http://127.0.0.1:4100', username: 'alice' });

    session.signOut();
    expect(storage.map.size).toBe(0);
    expect(signIn.resume()).toBeNull();
  });

  test('an unreadable kept session is dropped, not trusted', () => {
    const storage = memoryStorage();
    storage.setItem(SESSION_STORAGE_KEY, '{"crmUrl":"http://x","username":""}');
    expect(new DevPasswordSignIn({ keeper: storageSessionKeeper(storage) }).resume()).toBeNull();
    expect(storage.map.size).toBe(0);
  });

  test('the form suggests the build-time CRM URL, else the local emulator', () => {
    expect(new DevPasswordSignIn({ defaultCrmUrl: 'http://crm.test' }).defaultCrmUrl).toBe('http://crm.test');
    const saved = process.env.ADDIN_CRM_URL;
    delete process.env.ADDIN_CRM_URL;
    try {
      expect(new DevPasswordSignIn().defaultCrmUrl).toBe('http://127.0.0.1:4100');
    } finally {
      if (saved !== undefined) process.env.ADDIN_CRM_URL = saved;
    }
  });
});
