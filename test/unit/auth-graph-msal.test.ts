// The Graph sign-in wrapper with an MSAL test double: silent first, interactive only on click, NAA or
// the Office-dialog fallback.
import type { AuthenticationResult, Configuration, PopupRequest, SilentRequest } from '@azure/msal-browser';
import { DialogError, type AuthDialog } from '../../src/auth/office-dialog';
import { GraphSession } from '../../src/auth/graph-msal-session';
import { createGraphAuth, GRAPH_SCOPES, GraphSignInRequiredError, graphTokenSource, naaSupported, type MsalClient } from '../../src/auth/graph-msal';

const ACCOUNT = { homeAccountId: 'h', environment: 'login.microsoftonline.com', tenantId: 't', username: 'alice@contoso.com', localAccountId: 'l' };

/** A stand-in for MSAL: scripted answers, recorded calls. */
class FakeMsal implements MsalClient {
  silentCalls: SilentRequest[] = [];
  popupCalls: PopupRequest[] = [];
  silent: () => Promise<string> = async () => 'silent-token';
  popup: () => Promise<string> = async () => 'popup-token';
  accounts = [ACCOUNT];
  acquireTokenSilent = async (req: SilentRequest) => {
    this.silentCalls.push(req);
    return { accessToken: await this.silent() } as AuthenticationResult;
  };
  acquireTokenPopup = async (req: PopupRequest) => {
    this.popupCalls.push(req);
    return { accessToken: await this.popup() } as AuthenticationResult;
  };
  getAllAccounts = () => this.accounts as never;
  getActiveAccount = () => null;
}

function interactionRequired(): Error {
  const e = new Error('AADSTS65001: consent required');
  e.name = 'InteractionRequiredAuthError';
  return Object.assign(e, { errorCode: 'consent_required' });
}

class FakeDialog implements AuthDialog {
  urls: string[] = [];
  answer: () => Promise<string> = async () => JSON.stringify({ type: 'token', accessToken: 'dialog-token', expiresOn: Date.now() + 3_600_000 });
  async open(url: string): Promise<string> {
    this.urls.push(url);
    return this.answer();
  }
}

const CONFIG = { clientId: '00000000-1111-2222-3333-444444444444', addinBaseUrl: 'https://addin.example.com/' };

function setup(naa: boolean) {
  const msal = new FakeMsal();
  const dialog = new FakeDialog();
  const made: { kind: string; config: Configuration }[] = [];
  const auth = createGraphAuth(CONFIG, {
    naaSupported: naa,
    dialog,
    createNestable: async (config) => (made.push({ kind: 'nestable', config }), msal),
    createStandard: async (config) => (made.push({ kind: 'standard', config }), msal),
  });
  return { msal, dialog, made, auth };
}

test('with NAA, a silent token is used and nothing interactive happens', async () => {
  const { msal, dialog, made, auth } = setup(true);
  const token = await (await auth).accessToken();
  expect(token).toBe('silent-token');
  expect(made.map((m) => m.kind)).toEqual(['nestable']);
  expect(made[0].config.auth).toMatchObject({ clientId: CONFIG.clientId, authority: 'https://login.microsoftonline.com/common' });
  expect(msal.silentCalls[0]).toMatchObject({ scopes: [...GRAPH_SCOPES], account: ACCOUNT });
  expect(msal.popupCalls).toHaveLength(0);
  expect(dialog.urls).toHaveLength(0);
});

test('interaction required: the silent call reports "sign in" without a prompt, and the click prompts once', async () => {
  const { msal, auth } = setup(true);
  msal.silent = async () => {
    throw interactionRequired();
  };
  const graph = await auth;
  const error = await graph.accessToken().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GraphSignInRequiredError);
  expect(error).toMatchObject({ reason: 'interaction-required' });
  expect(msal.popupCalls).toHaveLength(0);

  // The user's click:
  await expect(graph.signIn()).resolves.toBe('popup-token');
  expect(msal.popupCalls).toHaveLength(1);
  expect(msal.popupCalls[0].scopes).toEqual(['Contacts.ReadWrite', 'Calendars.ReadWrite', 'Tasks.ReadWrite']);
});

test('a cancelled or blocked prompt gives a message, not another prompt', async () => {
  const { msal, auth } = setup(true);
  const graph = await auth;
  msal.popup = async () => {
    throw Object.assign(new Error('cancelled'), { errorCode: 'user_cancelled' });
  };
  await expect(graph.signIn()).rejects.toMatchObject({ reason: 'dialog-closed' });
  msal.popup = async () => {
    throw Object.assign(new Error('blocked'), { errorCode: 'popup_window_error' });
  };
  await expect(graph.signIn()).rejects.toMatchObject({ reason: 'dialog-blocked' });
  expect(msal.popupCalls).toHaveLength(2);
});

test('without NAA the click opens the Office dialog page and its token is used afterwards', async () => {
  const { msal, dialog, made, auth } = setup(false);
  msal.silent = async () => {
    throw interactionRequired();
  };
  const graph = await auth;
  expect(made.map((m) => m.kind)).toEqual(['standard']);
  // MSAL v5's popup/iframe answers go through the redirect bridge page.
  expect(made[0].config.auth.redirectUri).toBe('https://addin.example.com/msal-redirect.html');
  await expect(graph.accessToken()).rejects.toMatchObject({ reason: 'interaction-required' });
  expect(dialog.urls).toHaveLength(0);

  await expect(graph.signIn()).resolves.toBe('dialog-token');
  expect(dialog.urls).toEqual(['https://addin.example.com/graph-dialog.html']);
  expect(msal.popupCalls).toHaveLength(0);
  await expect(graph.accessToken()).resolves.toBe('dialog-token');
});

test('without NAA a closed dialog (12006) and an error answer each end in a message', async () => {
  const { dialog, auth } = setup(false);
  const graph = await auth;
  dialog.answer = async () => {
    throw new DialogError('closed', 12006, 'closed');
  };
  await expect(graph.signIn()).rejects.toMatchObject({ reason: 'dialog-closed' });
  dialog.answer = async () => JSON.stringify({ type: 'error', error: 'access_denied', description: 'AADSTS65004: declined' });
  await expect(graph.signIn()).rejects.toMatchObject({ reason: 'sign-in-failed', message: expect.stringContaining('declined') });
  dialog.answer = async () => 'garbage';
  await expect(graph.signIn()).rejects.toMatchObject({ reason: 'sign-in-failed' });
});

test('the Graph token source refreshes silently after a 401', async () => {
  const { msal, auth } = setup(true);
  const source = graphTokenSource(await auth);
  await source.refresh();
  expect(msal.silentCalls[0].forceRefresh).toBe(true);
});

test('no client id is a configuration error, and NAA is detected through the requirement set', async () => {
  await expect(createGraphAuth({ ...CONFIG, clientId: '' }, { naaSupported: true, dialog: new FakeDialog() })).rejects.toThrow('ADDIN_GRAPH_CLIENT_ID');
  const office = (supported: boolean) => ({ context: { requirements: { isSetSupported: (name: string, v: string) => supported && name === 'NestedAppAuth' && v === '1.1' } } }) as unknown as typeof Office;
  expect(naaSupported(office(true))).toBe(true);
  expect(naaSupported(office(false))).toBe(false);
  expect(naaSupported(undefined)).toBe(false);
});

describe('GraphSession (what the pane and the sync engine see)', () => {

  test('the engine\'s token source never prompts: a needed prompt becomes the Sign-in view, and the click fixes it', async () => {
    const { msal, auth } = setup(true);
    msal.silent = async () => {
      throw interactionRequired();
    };
    const session = new GraphSession(await auth);
    const views: string[] = [];
    session.subscribe((v) => views.push(v.kind));
    await session.check();
    expect(session.view()).toMatchObject({ kind: 'sign-in-required', reason: 'interaction-required' });
    await expect(session.tokens.accessToken()).rejects.toBeInstanceOf(GraphSignInRequiredError);
    expect(msal.popupCalls).toHaveLength(0);

    msal.silent = async () => 'silent-token';
    await session.signIn();
    expect(session.view()).toEqual({ kind: 'signed-in' });
    expect(msal.popupCalls).toHaveLength(1);
    await expect(session.tokens.accessToken()).resolves.toBe('silent-token');
    expect(views).toEqual(['sign-in-required', 'signed-in']);
  });

  test('without a configured client id the view explains it and sign-in is refused', async () => {
    const session = new GraphSession(null, 'not configured here');
    expect(session.view()).toEqual({ kind: 'unavailable', message: 'not configured here' });
    await expect(session.signIn()).rejects.toThrow('not configured here');
    await expect(session.tokens.accessToken()).rejects.toBeInstanceOf(GraphSignInRequiredError);
  });
});
