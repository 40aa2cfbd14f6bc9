// The `outlooksyncusers` extension (issue 12; README.md beside this file): what the sync server needs to
// know about a CRM user it syncs for, by user name. Oro's JSON:API lists users, but a user's default
// calendar is only reachable as that user (legacy `calendars/default`; OroCalendarBundle's JSON:API
// `calendars` resource is commented out in its api.yml), so the server asks here.
import type { Request, Response, Router } from '../common/http';
import type { CrmContext } from './context';
import { defaultCalendar } from './entities/calendar';
import { hasPermission } from './permissions';
import { accessDenied, checkAccept, errorOf, jsonApi, UNAUTHORIZED } from './jsonapi';

export const SYNC_USERS_TYPE = 'outlooksyncusers';

export function registerOutlookSyncUserRoutes(router: Router, ctx: CrmContext): void {
  router.on('GET', '/api/outlooksyncusers/:username', (req) => get(ctx, req));
}

function get(ctx: CrmContext, req: Request): Response {
  const caller = ctx.authenticate(req);
  if (!caller) return UNAUTHORIZED;
  const bad = checkAccept(req);
  if (bad) return bad;
  if (!hasPermission(ctx.db, caller.id, 'outlook_sync_server')) {
    return accessDenied("Reading the users to sync needs the capability \"Sync other users' Outlook\" (oro_outlook_sync_server).");
  }
  const username = req.params.username;
  const row = ctx.db.prepare('SELECT id, username, organization_id, enabled, email FROM users WHERE username = ?').get(username) as
    | { id: number; username: string; organization_id: number; enabled: number; email: string | null }
    | undefined;
  if (!row || row.organization_id !== caller.organizationId) return errorOf(404, 'not found http exception', `There is no user "${username}" in this organization.`);
  const attributes = { userId: row.id, organizationId: row.organization_id, enabled: row.enabled === 1, email: row.email, defaultCalendar: defaultCalendar(ctx.db, row.id).id };
  return jsonApi(200, { data: { type: SYNC_USERS_TYPE, id: row.username, attributes } });
}
