// The CRM emulator for the PKCE tests (HTTP and browser): a temp database, a movable clock, CORS origins.
import type { CrmContext } from '../emulators/crm/context';
import { startTestCrm } from '../emulators/crm/testing';

export interface PkceCrm {
  url: string;
  ctx: CrmContext;
  close(): Promise<void>;
}

export interface PkceCrmOptions {
  now?: () => Date;
  corsOrigins?: string[];
}

export async function startPkceCrm(options: PkceCrmOptions = {}): Promise<PkceCrm> {
  const t = await startTestCrm({ now: options.now, corsOrigins: options.corsOrigins });
  return { url: t.crm.url, ctx: t.crm.ctx, close: () => t.dispose() };
}
