// The identity platform's device authorization grant (MicrosoftDocs/entra-docs
// docs/identity-platform/v2-oauth2-device-code.md; RFC 8628): POST /{tenant}/oauth2/v2.0/devicecode
// hands out a device_code and a user_code; the user opens the verification page, enters the code and
// signs in; meanwhile the client polls the token endpoint with
// grant_type=urn:ietf:params:oauth:grant-type:device_code and gets authorization_pending (AADSTS70016),
// slow_down (RFC 8628 §3.5, when it polls sooner than `interval`; Microsoft's page does not list it),
// authorization_declined, bad_verification_code (AADSTS70018) or expired_token (AADSTS70019), then the
// tokens once. Codes live in memory: they last 15 minutes and a restart ending them is what users see too.
import { randomBytes } from 'node:crypto';
import type { Response, Router } from '../common/http';
import type { GraphContext } from './context';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const EXPIRES_IN_SECONDS = 900;

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  interval: number;
  /** The interval runs from the devicecode answer, then from each poll. */
  lastPollAt: number;
  state: { kind: 'pending' } | { kind: 'approved'; userId: string } | { kind: 'declined' };
}

export type DeviceCodeAnswer = { ok: true; userId: string; scope: string } | { ok: false; status: number; error: string; code: number; description: string };

export class DeviceCodes {
  private readonly byDevice = new Map<string, DeviceCode>();
  /** Seconds between polls the client is told (Microsoft: 5); tests set 1. */
  intervalSeconds = 5;

  constructor(private readonly ctx: GraphContext) {}

  issue(clientId: string, scope: string): DeviceCode {
    const code: DeviceCode = {
      deviceCode: 'DAQABAAEAAAD' + randomBytes(48).toString('base64url'),
      // Letters only, no look-alikes: typed by a person on another device.
      userCode: Array.from(randomBytes(8), (b) => 'ABCDEFGHJKLMNPQRSTUVWXYZ'[b % 24]).join(''),
      clientId,
      scope,
      expiresAt: this.ctx.now().getTime() + EXPIRES_IN_SECONDS * 1000,
      interval: this.intervalSeconds,
      lastPollAt: this.ctx.now().getTime(),
      state: { kind: 'pending' },
    };
    this.byDevice.set(code.deviceCode, code);
    return code;
  }

  /** The verification page: the signed-in user approves or declines the code they typed. */
  decide(userCode: string, decision: { userId: string } | 'declined'): 'ok' | 'unknown' | 'expired' {
    const code = [...this.byDevice.values()].find((c) => c.userCode === userCode.trim().toUpperCase() && c.state.kind === 'pending');
    if (!code) return 'unknown';
    if (this.ctx.now().getTime() >= code.expiresAt) return 'expired';
    code.state = decision === 'declined' ? { kind: 'declined' } : { kind: 'approved', userId: decision.userId };
    return 'ok';
  }

  /** One poll of the token endpoint. */
  redeem(deviceCode: string, clientId: string | null): DeviceCodeAnswer {
    const now = this.ctx.now().getTime();
    const code = this.byDevice.get(deviceCode);
    if (!code || code.clientId !== clientId) return { ok: false, status: 400, error: 'bad_verification_code', code: 70018, description: "The provided value for the input parameter 'device_code' is not valid." };
    if (now >= code.expiresAt) {
      this.byDevice.delete(deviceCode);
      return { ok: false, status: 400, error: 'expired_token', code: 70019, description: 'Verification code expired.' };
    }
    if (code.state.kind === 'declined') {
      this.byDevice.delete(deviceCode);
      return { ok: false, status: 400, error: 'authorization_declined', code: 70000, description: 'The user declined the authorization request.' };
    }
    if (code.state.kind === 'approved') {
      this.byDevice.delete(deviceCode); // redeemed once
      return { ok: true, userId: code.state.userId, scope: code.scope };
    }
    const tooSoon = now - code.lastPollAt < code.interval * 1000;
    code.lastPollAt = now;
    if (tooSoon) {
      code.interval += 5; // RFC 8628 §3.5: the client adds 5 s for this and later polls; so do we
      return { ok: false, status: 400, error: 'slow_down', code: 70016, description: 'The client polled more often than the interval allows.' };
    }
    return { ok: false, status: 400, error: 'authorization_pending', code: 70016, description: 'The provided request has not yet been authorized by the user. The user must input their code.' };
  }
}

const esc = (v: string): string => v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(body: string, status = 200): Response {
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: `<!doctype html><html><head><meta charset="utf-8"><title>Enter code</title></head><body><h1>Enter code</h1>${body}</body></html>` };
}

const FORM = (message = '') => `${message ? `<p role="alert">${esc(message)}</p>` : ''}
<form method="post" action="/devicelogin">
<label>Code <input name="user_code" autocomplete="off"></label>
<label>User name <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<button name="decision" value="approve">Sign in</button> <button name="decision" value="decline">Cancel</button>
</form>`;

/** The emulator's verification page (Microsoft's is https://microsoft.com/devicelogin): code, then sign-in. */
export function registerDeviceLoginPage(router: Router, ctx: GraphContext, codes: DeviceCodes): void {
  router.on('GET', '/devicelogin', () => page(FORM()));
  router.on('POST', '/devicelogin', (req) => {
    const form = new URLSearchParams(req.rawBody);
    const userCode = form.get('user_code') ?? '';
    if (form.get('decision') === 'decline') {
      const r = codes.decide(userCode, 'declined');
      return r === 'ok' ? page('<p>You declined the sign-in. You can close this window.</p>') : page(FORM('That code is not valid. Check it and try again.'), 400);
    }
    const user = ctx.store.findUser(form.get('username') ?? '');
    if (!user || user.password !== form.get('password')) return page(FORM('Your account or password is incorrect.'), 400);
    const r = codes.decide(userCode, { userId: user.id });
    if (r === 'expired') return page(FORM('That code has expired. Start again on your device.'), 400);
    if (r === 'unknown') return page(FORM('That code is not valid. Check it and try again.'), 400);
    return page(`<p>You have signed in to the application on your device as ${esc(user.upn)}. You can close this window.</p>`);
  });
}
