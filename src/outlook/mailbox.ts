// Which mailbox a Graph token reaches, as one address every engine agrees on: the sync lease, the shared
// state and each local store are keyed by it, so a pane and the headless runner must name the mailbox
// alike or they would both sync it.
import { z } from 'zod';
import { MalformedResponseError } from '../sync/errors';
import { graphError } from './graph-errors';
import type { GraphHttp } from './graph-http';

const meSchema = z.object({ userPrincipalName: z.string().nullish(), mail: z.string().nullish() }).passthrough();

/** The same form for any source: trimmed, lower case (SMTP addresses compare case-insensitively). */
export function normalizeMailbox(address: string): string {
  return address.trim().toLowerCase();
}

/**
 * GET /me's `mail` (the primary SMTP address, which Office's `userProfile.emailAddress` also gives the
 * pane), else its userPrincipalName (which may differ from the SMTP address), else `fallback`.
 */
export async function mailboxOf(http: GraphHttp, fallback: string): Promise<string> {
  const res = await http.request({ method: 'GET', url: '/me' });
  if (res.status !== 200) throw graphError(res.status, res.headers, res.body, 'GET /me');
  const me = meSchema.safeParse(res.body);
  if (!me.success) throw new MalformedResponseError('Graph answered GET /me with a body we cannot read.');
  return normalizeMailbox(me.data.mail || me.data.userPrincipalName || fallback);
}
