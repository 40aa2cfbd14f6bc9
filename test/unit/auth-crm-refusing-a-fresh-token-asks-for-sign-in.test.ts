// A 401 triggers one refresh; when the CRM refuses even the fresh token (a disabled account, a proxy that
// drops the Authorization header), the pane asks for sign-in: the tokens are forgotten, the view shows the
// message and its Sign-in button, no window opens, and later calls stop refreshing.
import { storageConnectionStore, CRM_URL_SETTING } from '../../src/auth/connection';
import { ConnectionManager } from '../../src/auth/connection-manager';
import { SignInRequiredError } from '../../src/auth/crm-oauth';
import type { AuthDialog } from '../../src/auth/office-dialog';
import { storageTokenVault } from '../../src/auth/token-vault';
import { CrmHttp } from '../../src/crm/http';
import { AuthenticationError } from '../../src/sync/errors';
import { memoryStorage } from '../support/storage';

const CRM = 'https://crm.contoso.com';

test('a fresh token refused with 401 ends in a sign-in prompt, not in endless refreshes or a pop-up', async () => {
  const calls = { token: 0, api: 0, dialogs: 0 };
  // The CRM issues tokens but refuses every one of them on /api.
  const fetchStub: typeof fetch = async (input) => {
    if (String(input).endsWith('/oauth2-token')) {
      calls.token++;
      return new Response(JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: `access-${calls.token}`, refresh_token: `refresh-${calls.token}` }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    calls.api++;
    return new Response('', { status: 401 });
  };
  const local = memoryStorage();
  local.setItem(CRM_URL_SETTING, CRM);
  const vault = storageTokenVault(local);
  vault.save(CRM, { accessToken: 'access-0', refreshToken: 'refresh-0', expiresAt: Date.now() + 3_600_000 });
  const dialog: AuthDialog = { open: async () => (calls.dialogs++, Promise.reject(new Error('no window expected'))) };
  const manager = new ConnectionManager({
    store: storageConnectionStore(local),
    vault,
    dialog,
    addinBaseUrl: 'https://addin.contoso.com/',
    rules: { allowLoopbackHttp: false },
    clearLocalState: async () => undefined,
    fetch: fetchStub,
  });
  expect(manager.view()).toMatchObject({ kind: 'signed-in' });
  const views: string[] = [];
  manager.subscribe((v) => views.push(v.kind));

  const http = new CrmHttp({ baseUrl: CRM, tokens: manager.tokens()!, fetch: fetchStub });
  await expect(http.request({ path: '/api/configuration' })).rejects.toBeInstanceOf(AuthenticationError);
  expect(calls).toEqual({ token: 1, api: 2, dialogs: 0 });
  expect(manager.view()).toMatchObject({ kind: 'sign-in-required', reason: 'session-expired', message: expect.stringContaining('Select Sign in') });
  expect(views).toEqual(['sign-in-required']);
  expect(local.getItem(CRM_URL_SETTING)).toBe(CRM);
  expect([...local.map.keys()]).toEqual([CRM_URL_SETTING]);

  // The sync loop's next cycle fails fast: no request, no refresh, still no window.
  await expect(http.request({ path: '/api/configuration' })).rejects.toBeInstanceOf(SignInRequiredError);
  expect(calls).toEqual({ token: 1, api: 2, dialogs: 0 });
});
