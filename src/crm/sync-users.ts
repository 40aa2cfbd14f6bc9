// The CRM users the sync server syncs for, through our extension `outlooksyncusers`
// (test/emulators/crm/README.md "The sync server"): a user's id and default calendar, which a stock Oro
// shows only to the user itself.
import { z } from 'zod';
import { MalformedResponseError } from '../sync/errors';
import { errorFromResponse } from './errors';
import type { CrmHttp } from './http';
import type { CrmOwner } from './side';

const syncUserDocument = z.object({
  data: z.object({
    type: z.literal('outlooksyncusers'),
    id: z.string(),
    attributes: z.object({ userId: z.number().int(), enabled: z.boolean(), email: z.string().nullable(), defaultCalendar: z.number().int() }),
  }),
});

export interface SyncUser extends CrmOwner {
  username: string;
  enabled: boolean;
  email: string | null;
}

export async function findSyncUser(http: CrmHttp, username: string): Promise<SyncUser> {
  const path = `/api/outlooksyncusers/${encodeURIComponent(username)}`;
  const res = await http.request({ path });
  if (res.status !== 200) throw errorFromResponse(res.status, res.headers, res.body, `GET ${path}`);
  const parsed = syncUserDocument.safeParse(res.body);
  if (!parsed.success) throw new MalformedResponseError(`The CRM answered ${path} with an unreadable user.`);
  const a = parsed.data.data.attributes;
  return { username: parsed.data.data.id, userId: a.userId, calendarId: a.defaultCalendar, enabled: a.enabled, email: a.email };
}
