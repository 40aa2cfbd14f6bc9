// What a user's roles allow beyond the emulator's default ACL (entities/README.md "ACL is simplified"),
// and "acting for" another user on our extension routes (issue 12, the sync server):
// - `outlook_sync_server`: the capability our server-side bundle declares (Oro's ACL capabilities are
//   named like `oro_outlook_sync_server`); its holder may name `?user=<id>` on outlooksettings,
//   outlooksynclease and outlooksyncstate, and read outlooksyncusers, for users of its own organization;
// - `calendar_events_organization`: Calendar Event permissions at the Organization access level, so the
//   holder may read and write the events of every user's calendar in its organization (a stock Oro
//   role setting; by default users reach only their own calendar).
import type Database from 'better-sqlite3';
import type { Request, Response } from '../common/http';
import type { CrmContext, CrmUser } from './context';
import { accessDenied, errorOf } from './jsonapi';

export type UserPermission = 'outlook_sync_server' | 'calendar_events_organization';

export function hasPermission(db: Database.Database, userId: number, permission: UserPermission): boolean {
  return db.prepare('SELECT 1 FROM user_permissions WHERE user_id = ? AND permission = ?').get(userId, permission) !== undefined;
}

export function userByIdInOrganization(db: Database.Database, id: number, organizationId: number): CrmUser | null {
  const row = db.prepare('SELECT id, username, organization_id, is_admin, enabled FROM users WHERE id = ?').get(id) as
    | { id: number; username: string; organization_id: number; is_admin: number; enabled: number }
    | undefined;
  if (!row || row.organization_id !== organizationId) return null;
  return { id: row.id, username: row.username, organizationId: row.organization_id, isAdmin: row.is_admin === 1 };
}

/**
 * Whose settings, lease or sync state a request addresses: the caller's own, or with `?user=<id>` the
 * named user's, which only a holder of `outlook_sync_server` may address (403 otherwise; 404 for a user
 * outside the caller's organization, which it cannot see).
 */
export function actingUser(ctx: CrmContext, req: Request, caller: CrmUser): { user: CrmUser } | { response: Response } {
  const named = req.url.searchParams.get('user');
  if (named === null) return { user: caller };
  if (!hasPermission(ctx.db, caller.id, 'outlook_sync_server')) {
    return { response: accessDenied("Acting for another user needs the capability \"Sync other users' Outlook\" (oro_outlook_sync_server).") };
  }
  const id = /^\d+$/.test(named) ? Number(named) : NaN;
  const user = Number.isFinite(id) ? userByIdInOrganization(ctx.db, id, caller.organizationId) : null;
  if (!user) return { response: errorOf(404, 'not found http exception', `There is no user ${named} in this organization.`) };
  return { user };
}
