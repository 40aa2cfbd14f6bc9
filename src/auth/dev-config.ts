// Build-time defaults. webpack's DefinePlugin replaces `process.env.ADDIN_CRM_URL` with a literal; in a
// browser build without it, `process` does not exist, hence the try.

export const FALLBACK_CRM_URL = 'http://127.0.0.1:4100';

export function defaultCrmUrl(): string {
  let fromBuild: string | undefined;
  try {
    fromBuild = process.env.ADDIN_CRM_URL;
  } catch {
    fromBuild = undefined;
  }
  return fromBuild || FALLBACK_CRM_URL;
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
