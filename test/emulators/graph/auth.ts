// Microsoft identity platform token endpoint: password, refresh_token and device code grants (delegated;
// the device code flow in device-code.ts), and the
// client credentials grant (app-only, concepts/auth-v2-service.md in microsoft-graph-docs-contrib: a
// tenant-specific endpoint, client_id + client_secret, scope https://graph.microsoft.com/.default, an
// answer without refresh token). Errors use the identity platform's shape ({error, error_description,
// error_codes, timestamp, trace_id, correlation_id}), not Graph's.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Response, Router } from '../common/http';
import type { GraphContext } from './context';
import { DEVICE_CODE_GRANT, DeviceCodes } from './device-code';

const ACCESS_TTL_SECONDS = 3599;
const REFRESH_TTL_SECONDS = 90 * 24 * 3600;
const DEFAULT_SCOPE = 'https://graph.microsoft.com/Contacts.ReadWrite https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/Tasks.ReadWrite https://graph.microsoft.com/User.Read';

function identityError(status: number, error: string, code: number, description: string): Response {
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    },
  };
}

/** The only scope a client credentials request may name for Graph: its resource with `/.default`. */
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

/** Tenants that do not identify one directory: an app-only token needs a tenant-specific endpoint. */
const MULTI_TENANT = ['common', 'organizations', 'consumers'];

function clientCredentialsGrant(ctx: GraphContext, tenant: string, form: URLSearchParams): Response {
  if (MULTI_TENANT.includes(tenant.toLowerCase())) {
    // AADSTS50059 for client credentials on /common (MicrosoftDocs/azure-docs#24064, MSAL's missing_tenant_id_error).
    return identityError(400, 'invalid_request', 50059, 'No tenant-identifying information found in either the request or implied by any provided credentials.');
  }
  if (!ctx.store.knowsTenant(tenant)) return identityError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  for (const p of ['client_id', 'scope']) {
    if (!form.get(p)) return identityError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${p}'.`);
  }
  const clientId = form.get('client_id') as string;
  const app = ctx.store.findApp(clientId);
  const t = tenant.toLowerCase();
  if (!app || (app.tenant.toLowerCase() !== t && app.tenantName.toLowerCase() !== t)) {
    return identityError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
  }
  const secret = form.get('client_secret');
  if (!secret) return identityError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  if (secret !== app.secret) {
    return identityError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`);
  }
  if (form.get('scope')!.trim() !== GRAPH_DEFAULT_SCOPE) {
    return identityError(400, 'invalid_scope', 1002012, `The provided value for scope ${form.get('scope')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  }
  const accessToken = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9' + randomBytes(32).toString('base64url');
  ctx.store.saveAppToken(accessToken, app.clientId, ctx.now().getTime() + ACCESS_TTL_SECONDS * 1000);
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    body: { token_type: 'Bearer', expires_in: ACCESS_TTL_SECONDS, ext_expires_in: ACCESS_TTL_SECONDS, access_token: accessToken },
  };
}

export function registerTokenRoutes(router: Router, ctx: GraphContext, deviceCodes: DeviceCodes = new DeviceCodes(ctx)): void {
  const devicecode = (req: { rawBody: string }): Response => {
    const form = new URLSearchParams(req.rawBody);
    for (const p of ['client_id', 'scope']) {
      if (!form.get(p)) return identityError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${p}'.`);
    }
    const code = deviceCodes.issue(form.get('client_id')!, form.get('scope')!);
    const verificationUri = `${ctx.baseUrl().replace(/\/+$/, '')}/devicelogin`;
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
      body: {
        user_code: code.userCode,
        device_code: code.deviceCode,
        verification_uri: verificationUri,
        expires_in: Math.round((code.expiresAt - ctx.now().getTime()) / 1000),
        interval: code.interval,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${code.userCode} to authenticate.`,
      },
    };
  };
  router.on('POST', '/common/oauth2/v2.0/devicecode', devicecode);
  router.on('POST', '/organizations/oauth2/v2.0/devicecode', devicecode);
  router.on('POST', '/:tenant/oauth2/v2.0/devicecode', devicecode);
  const handler = (req: { rawBody: string; headers: Record<string, unknown>; params: Record<string, string> }, tenant = req.params.tenant): Response => {
    const form = new URLSearchParams(req.rawBody);
    const grant = form.get('grant_type');
    if (!grant) return identityError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grant === 'client_credentials') return clientCredentialsGrant(ctx, tenant, form);
    let userId: string;
    if (grant === 'password') {
      for (const p of ['username', 'password', 'scope']) {
        if (!form.get(p)) return identityError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${p}'.`);
      }
      const user = ctx.store.findUser(form.get('username') as string);
      if (!user || user.password !== form.get('password')) {
        return identityError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.');
      }
      userId = user.id;
    } else if (grant === DEVICE_CODE_GRANT) {
      const deviceCode = form.get('device_code');
      if (!deviceCode) return identityError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'device_code'.");
      const answer = deviceCodes.redeem(deviceCode, form.get('client_id'));
      if (!answer.ok) return identityError(answer.status, answer.error, answer.code, answer.description);
      userId = answer.userId;
      // The scope was named in the devicecode request; offline_access there brings a refresh token.
      if (!form.get('scope')) form.set('scope', answer.scope);
    } else if (grant === 'refresh_token') {
      const token = form.get('refresh_token');
      if (!token) return identityError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'refresh_token'.");
      const { user } = ctx.store.tokenUser(token, 'refresh', ctx.now().getTime());
      if (!user) return identityError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      userId = user.id;
    } else {
      return identityError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const now = ctx.now().getTime();
    const accessToken = 'eyJ0eXAiOiJKV1QiLCJub25jZSI6' + randomBytes(32).toString('base64url');
    ctx.store.saveToken(accessToken, userId, 'access', now + ACCESS_TTL_SECONDS * 1000);
    const requested = form.get('scope') ?? '';
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: requested.split(/\s+/).filter((s) => s && s !== 'offline_access' && s !== 'openid' && s !== 'profile').join(' ') || DEFAULT_SCOPE,
      expires_in: ACCESS_TTL_SECONDS,
      ext_expires_in: ACCESS_TTL_SECONDS,
      access_token: accessToken,
    };
    if (requested.split(/\s+/).includes('offline_access') || grant === 'refresh_token') {
      const refreshToken = '0.AXoA' + randomBytes(48).toString('base64url');
      ctx.store.saveToken(refreshToken, userId, 'refresh', now + REFRESH_TTL_SECONDS * 1000);
      body.refresh_token = refreshToken;
    }
    return { status: 200, headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' }, body };
  };
  router.on('POST', '/common/oauth2/v2.0/token', (req) => handler(req, 'common'));
  router.on('POST', '/organizations/oauth2/v2.0/token', (req) => handler(req, 'organizations'));
  router.on('POST', '/:tenant/oauth2/v2.0/token', (req) => handler(req));
}
