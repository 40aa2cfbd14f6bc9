// A CRM emulator that serves the authorization-code flow, for the PKCE tests (HTTP and browser).
// Uses the real emulator when its core registers /oauth2-token/authorize; until that wiring lands it
// composes the same parts (OAuth, authorize, configuration API) on one server and one SQLite file.
import fs from 'node:fs';
import path from 'node:path';
import { Router, serve } from '../emulators/common/http';
import { OAuthServer } from '../emulators/crm/auth';
import { AuthorizationEndpoint, registerUserProfileRoute, type AuthorizeOptions } from '../emulators/crm/authorize';
import { registerConfigurationRoutes } from '../emulators/crm/configuration';
import type { CrmContext } from '../emulators/crm/context';
import { isSeeded, migrateCore, openDatabase, seedCore } from '../emulators/crm/db';
import { startTestCrm, tempDir } from '../emulators/crm/testing';

export interface PkceCrm {
  url: string;
  ctx: CrmContext;
  close(): Promise<void>;
}

export interface PkceCrmOptions extends AuthorizeOptions {
  now?: () => Date;
  corsOrigins?: string[];
}

export async function startPkceCrm(options: PkceCrmOptions = {}): Promise<PkceCrm> {
  const real = await startTestCrm({ now: options.now, corsOrigins: options.corsOrigins });
  const probe = await fetch(`${real.crm.url}/oauth2-token/authorize`);
  if (probe.status !== 404 && !options.redirectUris) return { url: real.crm.url, ctx: real.crm.ctx, close: () => real.dispose() };
  await real.dispose();
  return composeCrm(options);
}

async function composeCrm(options: PkceCrmOptions): Promise<PkceCrm> {
  const dir = tempDir('crm-pkce-');
  const db = openDatabase(path.join(dir, 'crm.sqlite'));
  const now = options.now ?? (() => new Date());
  migrateCore(db);
  if (!isSeeded(db)) seedCore(db, now());
  const oauth = new OAuthServer(db, now);
  const ctx: CrmContext = {
    db,
    faults: undefined as unknown as CrmContext['faults'],
    now,
    authenticate: (req) => oauth.authenticate(req),
    baseUrl: () => running.url,
  };
  const router = new Router();
  new AuthorizationEndpoint(db, now, options).register(router, (req) => oauth.tokenEndpoint(req));
  oauth.register(router);
  registerConfigurationRoutes(router, ctx);
  registerUserProfileRoute(router, db, (req) => oauth.authenticate(req));
  const running = await serve({
    name: 'crm',
    router,
    corsOrigins: options.corsOrigins,
    notFound: () => ({ status: 404, body: { errors: [{ status: '404', title: 'not found' }] } }),
    internalError: (_req, error) => ({ status: 500, body: { errors: [{ status: '500', detail: String(error) }] } }),
  });
  ctx.faults = running.faults;
  return {
    url: running.url,
    ctx,
    async close() {
      await running.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
