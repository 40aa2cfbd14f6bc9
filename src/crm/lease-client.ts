// The sync lease through our CRM extension `outlooksynclease` (test/emulators/crm/README.md): one
// lease per CRM user + mailbox, conditional writes with If-Match / If-None-Match: *. A stock Oro
// answers 404 to a first read; `detectLeaseSupport` tells the host to fall back.
import { z } from 'zod';
import type { LeaseBackend, LeaseView, LeaseWrite, LeaseWriteResult } from '../sync/lease';
import { MalformedResponseError } from '../sync/errors';
import { errorFromResponse } from './errors';
import type { CrmHttp, CrmResponse } from './http';
import { SharedStateFencedError, type SharedStateBackend, type SharedStateChange, type SharedStateSnapshot } from '../store/shared-state';

export const LEASE_RESOURCE = 'outlooksynclease';

const leaseDocument = z.object({
  data: z.object({
    type: z.literal(LEASE_RESOURCE),
    id: z.string(),
    attributes: z.object({
      holder: z.string(),
      deviceLabel: z.string(),
      fencingToken: z.number().int(),
      acquiredAt: z.string(),
      expiresIn: z.number().min(0),
      secondsSinceRenewal: z.number().min(0),
      active: z.boolean(),
      syncRequestedAt: z.string().nullable(),
      status: z.unknown(),
    }),
  }),
});

/**
 * `?user=<id>` when the sync server acts for a CRM user (its integration user holds the extension's
 * capability, test/emulators/crm/README.md "The sync server"); the signed-in user's own otherwise.
 */
export function forUserQuery(forUser: number | undefined): string {
  return forUser === undefined ? '' : `?user=${forUser}`;
}

export class CrmLeaseBackend implements LeaseBackend {
  readonly reach = 'shared' as const;
  private readonly path: string;

  constructor(
    private readonly http: CrmHttp,
    private readonly mailbox: string,
    /** The CRM user whose lease this is, when not the signed-in one (the sync server). */
    forUser?: number,
  ) {
    this.path = `/api/${LEASE_RESOURCE}/${encodeURIComponent(mailbox.toLowerCase())}${forUserQuery(forUser)}`;
  }

  async read(): Promise<LeaseView | null> {
    const res = await this.http.request({ path: this.path });
    if (res.status === 404) return null;
    if (res.status !== 200) throw errorFromResponse(res.status, res.headers, res.body, `GET ${this.path}`);
    return this.viewOf(res);
  }

  async write(expected: LeaseView | null, change: LeaseWrite): Promise<LeaseWriteResult> {
    const attributes: Record<string, unknown> = { holder: change.holder, deviceLabel: change.deviceLabel, ttl: change.ttlSeconds };
    if (change.status !== undefined) attributes.status = change.status;
    const res = await this.http.request({
      method: 'PATCH',
      path: this.path,
      body: { data: { type: LEASE_RESOURCE, id: this.mailbox.toLowerCase(), attributes } },
      headers: expected ? { 'If-Match': expected.etag } : { 'If-None-Match': '*' },
    });
    if (res.status === 412) return { ok: false, reason: 'changed' };
    if (res.status === 409) return { ok: false, reason: 'held' };
    if (res.status !== 200 && res.status !== 201) throw errorFromResponse(res.status, res.headers, res.body, `PATCH ${this.path}`);
    return { ok: true, lease: this.viewOf(res) };
  }

  async requestSync(): Promise<void> {
    await this.http.requestOk({
      method: 'PATCH',
      path: this.path,
      body: { data: { type: LEASE_RESOURCE, id: this.mailbox.toLowerCase(), attributes: { syncRequested: true } } },
    });
  }

  private viewOf(res: CrmResponse): LeaseView {
    const parsed = leaseDocument.safeParse(res.body);
    const etag = res.headers.get('etag');
    if (!parsed.success || !etag) throw new MalformedResponseError(`The CRM answered ${this.path} with an unreadable lease.`);
    const a = parsed.data.data.attributes;
    return {
      holder: a.holder,
      deviceLabel: a.deviceLabel,
      fencingToken: a.fencingToken,
      acquiredAt: a.acquiredAt,
      expiresInMs: a.expiresIn * 1000,
      sinceRenewalMs: a.secondsSinceRenewal * 1000,
      active: a.active,
      syncRequestedAt: a.syncRequestedAt,
      status: a.status ?? null,
      etag,
    };
  }
}

/**
 * Whether the CRM has the lease extension: a first read of a mailbox without a lease is a 404 with
 * our "no engine has held" document; a stock Oro's 404 is a routing error. Told apart by an OPTIONS-free
 * probe: a conditional write that can never succeed (If-Match on a lease version that cannot exist).
 */
export async function detectLeaseSupport(http: CrmHttp, mailbox: string, forUser?: number): Promise<boolean> {
  const backend = new CrmLeaseBackend(http, mailbox, forUser);
  if ((await backend.read()) !== null) return true;
  const res = await http.request({
    method: 'PATCH',
    path: `/api/${LEASE_RESOURCE}/${encodeURIComponent(mailbox.toLowerCase())}${forUserQuery(forUser)}`,
    body: { data: { type: LEASE_RESOURCE, id: mailbox.toLowerCase(), attributes: { holder: 'probe', deviceLabel: 'probe', ttl: 5 } } },
    headers: { 'If-Match': '"probe"' },
  });
  // The extension: 412 (no lease to match). A stock Oro: 404 (no such route).
  return res.status === 412;
}

/** The shared sync state through our extension `outlooksyncstate` (store/shared-state.ts). */
export class CrmSharedState implements SharedStateBackend {
  private readonly path: string;

  constructor(
    private readonly http: CrmHttp,
    private readonly mailbox: string,
    forUser?: number,
  ) {
    this.path = `/api/outlooksyncstate/${encodeURIComponent(mailbox.toLowerCase())}${forUserQuery(forUser)}`;
  }

  async read(): Promise<SharedStateSnapshot> {
    const { body } = await this.http.requestJson({ path: this.path });
    const a = (body as { data?: { attributes?: SharedStateSnapshot } }).data?.attributes;
    if (!a || typeof a.revision !== 'number' || !Array.isArray(a.relations) || !Array.isArray(a.checkpoints) || !Array.isArray(a.journal)) {
      throw new MalformedResponseError(`The CRM answered ${this.path} with an unreadable sync state.`);
    }
    return a;
  }

  async write(fencingToken: number, change: SharedStateChange): Promise<number> {
    const res = await this.http.request({
      method: 'PATCH',
      path: this.path,
      body: { data: { type: 'outlooksyncstate', id: this.mailbox.toLowerCase(), attributes: { fencingToken, ...change } } },
    });
    if (res.status === 409) throw new SharedStateFencedError('Another engine holds this mailbox now; this one stops writing.');
    if (res.status !== 200) throw errorFromResponse(res.status, res.headers, res.body, `PATCH ${this.path}`);
    const revision = (res.body as { data?: { attributes?: { revision?: unknown } } }).data?.attributes?.revision;
    if (typeof revision !== 'number') throw new MalformedResponseError(`The CRM answered PATCH ${this.path} without a revision.`);
    return revision;
  }
}
