// The identity platform's device code flow (MicrosoftDocs/entra-docs docs/identity-platform/
// v2-oauth2-device-code.md, RFC 8628) in the Graph emulator, and GraphDeviceCodeTokens against it:
// the devicecode answer, authorization_pending, slow_down, the verification page signing the user in,
// one redemption only, authorization_declined, expired_token, and renewal with the rotated refresh token.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/server';
import { GraphDeviceCodeTokens, type DeviceCodePrompt } from '../../src/outlook';
import { AuthenticationError } from '../../src/sync/errors';

let graph: GraphEmulator;
let dir: string;
let clock = Date.parse('2026-12-07T09:00:00Z');
let frozen = false;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-device-code-'));
  graph = await createGraphEmulator({ dbFile: path.join(dir, 'graph.sqlite'), port: 0, deviceCodeIntervalSeconds: 1, now: () => new Date(frozen ? clock : Date.now()) });
});
afterAll(async () => {
  await graph.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const origin = () => graph.url.replace(/\/+$/, '');
const form = (url: string, body: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => null)) as any, text: '' }));
const page = (body: Record<string, string>) =>
  fetch(`${origin()}/devicelogin`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) }).then(async (r) => ({ status: r.status, text: await r.text() }));
const poll = (deviceCode: string, clientId = 'runner-app') => form(`${origin()}/organizations/oauth2/v2.0/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: clientId, device_code: deviceCode });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the emulator: devicecode answer, pending, slow_down, the page signs the user in, tokens once', async () => {
  const missing = await form(`${origin()}/organizations/oauth2/v2.0/devicecode`, { scope: 'Contacts.ReadWrite' });
  expect(missing.status).toBe(400);
  expect(missing.body.error).toBe('invalid_request');

  const code = await form(`${origin()}/organizations/oauth2/v2.0/devicecode`, { client_id: 'runner-app', scope: 'https://graph.microsoft.com/Contacts.ReadWrite offline_access' });
  expect(code.status).toBe(200);
  expect(code.body).toMatchObject({ verification_uri: `${origin()}/devicelogin`, expires_in: 900, interval: 1 });
  expect(code.body.message).toBe(`To sign in, use a web browser to open the page ${origin()}/devicelogin and enter the code ${code.body.user_code} to authenticate.`);
  expect(code.body).not.toHaveProperty('verification_uri_complete'); // "not included or supported at this time"

  await sleep(1100);
  expect((await poll(code.body.device_code)).body.error).toBe('authorization_pending');
  // Polling again at once, sooner than the interval: slow down.
  expect((await poll(code.body.device_code)).body.error).toBe('slow_down');
  expect((await poll('no-such-code')).body.error).toBe('bad_verification_code');
  expect((await poll(code.body.device_code, 'another-app')).body.error).toBe('bad_verification_code');

  expect((await page({ user_code: code.body.user_code, username: 'alice', password: 'wrong', decision: 'approve' })).status).toBe(400);
  expect((await page({ user_code: 'ZZZZZZZZ', username: 'alice', password: 'alice', decision: 'approve' })).status).toBe(400);
  const approved = await page({ user_code: code.body.user_code.toLowerCase(), username: 'alice', password: 'alice', decision: 'approve' });
  expect(approved.text).toContain('You have signed in');
  await sleep(1100);
  const token = await poll(code.body.device_code);
  expect(token.status).toBe(200);
  expect(token.body).toMatchObject({ token_type: 'Bearer' });
  expect(token.body.refresh_token).toEqual(expect.any(String));
  const me = await fetch(`${origin()}/v1.0/me`, { headers: { Authorization: `Bearer ${token.body.access_token}` } });
  expect(((await me.json()) as { userPrincipalName: string }).userPrincipalName).toBe('alice@acme.test');
  // A device code is redeemed once.
  expect((await poll(code.body.device_code)).body.error).toBe('bad_verification_code');
});

test('the emulator: a declined sign-in and an expired code end the flow', async () => {
  const declined = await form(`${origin()}/common/oauth2/v2.0/devicecode`, { client_id: 'runner-app', scope: 'Contacts.ReadWrite' });
  expect((await page({ user_code: declined.body.user_code, decision: 'decline' })).status).toBe(200);
  expect((await poll(declined.body.device_code)).body.error).toBe('authorization_declined');

  frozen = true;
  try {
    const expiring = await form(`${origin()}/common/oauth2/v2.0/devicecode`, { client_id: 'runner-app', scope: 'Contacts.ReadWrite' });
    clock += 901_000;
    expect((await page({ user_code: expiring.body.user_code, username: 'alice', password: 'alice', decision: 'approve' })).text).toContain('expired');
    expect((await poll(expiring.body.device_code)).body.error).toBe('expired_token');
  } finally {
    frozen = false;
  }
});

test('GraphDeviceCodeTokens: prints the message, waits the interval (5 s more after slow_down), then renews with the rotated refresh token', async () => {
  const prompts: DeviceCodePrompt[] = [];
  const waits: number[] = [];
  let approving: Promise<unknown> | null = null;
  const tokens = new GraphDeviceCodeTokens({
    authority: origin(),
    tenant: 'organizations',
    clientId: 'runner-app',
    prompt: (p) => prompts.push(p),
    // The first wait is cut short, so the emulator asks to slow down; later ones wait just over its 1 s.
    sleep: async (ms) => {
      waits.push(ms);
      if (waits.length === 1) return;
      approving ??= page({ user_code: prompts[0].userCode, username: 'alice', password: 'alice', decision: 'approve' });
      await approving;
      await sleep(1100);
    },
  });
  const first = await tokens.accessToken();
  expect(prompts[0].message).toContain(`open the page ${origin()}/devicelogin and enter the code ${prompts[0].userCode}`);
  expect(waits.slice(0, 2)).toEqual([1000, 6000]);
  expect(await tokens.accessToken()).toBe(first); // cached
  const renewed = await tokens.refresh();
  expect(renewed).not.toBe(first);
  expect(prompts).toHaveLength(1); // renewed with the refresh token, no second sign-in
});

test('GraphDeviceCodeTokens: a declined sign-in is an authentication error in plain words', async () => {
  const tokens = new GraphDeviceCodeTokens({
    authority: origin(),
    tenant: 'organizations',
    clientId: 'runner-app',
    prompt: (p) => void page({ user_code: p.userCode, decision: 'decline' }),
    sleep: async () => void (await sleep(1100)),
  });
  const error = await tokens.accessToken().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as Error).message).toBe('Graph sign-in with a device code failed: the sign-in was declined on the verification page.');
});
