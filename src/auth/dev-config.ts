// Build-time defaults. webpack's DefinePlugin replaces `process.env.ADDIN_CRM_URL` with a literal.
import { buildValue } from './build-value';

export const FALLBACK_CRM_URL = 'http://127.0.0.1:4100';

/**
 * The dev sign-in form (outside Outlook, a pane served from localhost only) uses the password grant, which
 * Oro allows only to a confidential application: the CRM emulator's demo one (test/emulators/demo-data.ts).
 * A demo value for the emulator, not a secret; the real pane signs in with authorization code + PKCE and
 * holds no secret at all.
 */
export const DEV_EMULATOR_PASSWORD_APP = { clientId: 'outlook-sync-runner', clientSecret: 'demo-runner-secret' } as const;

export function defaultCrmUrl(): string {
  return buildValue(() => process.env.ADDIN_CRM_URL) || FALLBACK_CRM_URL;
}

/**
 * The origin of the CRM the build was made for (ADDIN_CRM_URL), or null when the build set none. A
 * production pane can reach only this CRM: its Content-Security-Policy allows no other (scripts/addin-csp.js).
 */
export function buildCrmOrigin(): string | null {
  try {
    return process.env.ADDIN_CRM_URL ? new URL(process.env.ADDIN_CRM_URL).origin : null;
  } catch {
    return null;
  }
}
