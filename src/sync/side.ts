// The engine's only view of a service. `src/crm` and `src/outlook` each implement it, so the
// engine never knows which service it talks to (after RxDB's masterChangesSince / masterWrite).
import type { CalendarWindow } from './calendar-window';
import type { EntityType, RecordOf, SideName } from './records';

export interface SideItem<R> {
  /** The item's id on this side (a string, whatever the wire type). */
  id: string;
  /** Opaque version: Graph changeKey / @odata.etag, Oro updatedAt. Compared only for equality. */
  version: string;
  record: R;
  /**
   * Outlook only: the CRM id stamped on the item (`OroCRM_id` / linkedResources.externalId).
   * `undefined` when the read could not see the stamp (delta), `null` when the item has none.
   */
  crmId?: string | null;
  /**
   * Outlook only: the item exists, but the user moved it out of the synced "OroCRM" folder or list
   * (findMovedAway). Such an item is never synced; its pair is parked (moved-out.ts).
   */
  movedOut?: true;
}

export type Change<R> = { kind: 'upsert'; item: SideItem<R> } | { kind: 'delete'; id: string };

export interface ChangePage<R> {
  changes: Array<Change<R>>;
  /** Where the next read continues. Persist it only after this page is applied. */
  checkpoint: string;
  /** False while more pages of this round remain; read again with `checkpoint`. */
  done: boolean;
  /**
   * True when this round began without a checkpoint, so its pages together list every item that
   * exists now. Only a complete, successful full round may be used to infer deletions.
   */
  full: boolean;
  /**
   * On the first page of a full round, how many items the round will list, when the service can
   * tell (Oro: X-Include: totalCount); absent or null otherwise. For progress only, never for logic.
   */
  total?: number | null;
  /**
   * Events: the calendar window this page's round covers (calendar-window.ts). Unlinked events outside
   * it are ignored, and linked ones last synced outside it are never inferred deleted from the round.
   */
  window?: CalendarWindow;
}

export type WriteOp<R> =
  | {
      op: 'create';
      /** Idempotency key, journaled before the write; a retry with the same key never duplicates. */
      key: string;
      record: R;
      /** Outlook: the CRM id to stamp on the new item. */
      crmId?: string;
    }
  | {
      op: 'update';
      id: string;
      record: R;
      /** Fields to send; all mapped fields when absent. */
      fields?: ReadonlyArray<keyof R>;
      /** Outlook: a string stamps the CRM id, null clears it, undefined leaves it. */
      crmId?: string | null;
    }
  | { op: 'delete'; id: string };

export type WriteErrorCode = 'not_found' | 'invalid' | 'conflict' | 'throttled' | 'unavailable' | 'unknown';

export type WriteResult =
  | { ok: true; id: string; version: string; unsynced?: UnsyncedFields }
  | { ok: false; code: WriteErrorCode; message: string; retryable: boolean };

/**
 * A write that landed without some of its fields, because the service refuses to take them this way
 * (Oro's task workflow and a task's status). The engine keeps the service's values as synced for
 * those fields and logs the refusal in the conflict log, so nothing is dropped silently.
 */
export interface UnsyncedFields {
  fields: string[];
  /** What the service holds for those fields after the write. */
  kept: Record<string, unknown>;
  /** Why, in words a user understands. */
  reason: string;
}

export interface SyncSide {
  readonly name: SideName;

  /** One page of changes since `checkpoint` (null: start a full round). Throws FullResyncRequiredError. */
  readChanges<T extends EntityType>(type: T, checkpoint: string | null): Promise<ChangePage<RecordOf<T>>>;

  /** Applies ops in batches; results line up with `ops` by index. Throws only when nothing could be sent. */
  apply<T extends EntityType>(type: T, ops: ReadonlyArray<WriteOp<RecordOf<T>>>): Promise<WriteResult[]>;

  /** Current state of items by id, batched; null where the item no longer exists. */
  get<T extends EntityType>(type: T, ids: ReadonlyArray<string>): Promise<Array<SideItem<RecordOf<T>> | null>>;

  /** Items whose matching key equals `record`'s (first-sync matching). */
  findByKey<T extends EntityType>(type: T, record: RecordOf<T>): Promise<Array<SideItem<RecordOf<T>>>>;

  /** Outlook: items stamped with this CRM id. CRM: the record with this id, if any. */
  findByCrmId<T extends EntityType>(type: T, crmId: string): Promise<Array<SideItem<RecordOf<T>>>>;

  /**
   * The item an earlier create with this op's key produced, if it reached the service
   * (Oro contacts: externalId; Oro events: uid; Graph events: transactionId; other Graph items: the CRM id stamp).
   * Used after a crash so that a journaled create is never sent twice.
   */
  findCreated<T extends EntityType>(
    type: T,
    op: Extract<WriteOp<RecordOf<T>>, { op: 'create' }>,
  ): Promise<SideItem<RecordOf<T>> | null>;

  /**
   * Asked right before these creates are sent: for each, the item that exists for it already, or null.
   * Outlook: an item stamped with the op's CRM id (or, for events, carrying its transactionId).
   * CRM: a contact with the op key's externalId, an event with its uid (tasks have no key: null).
   * Another engine on the same mailbox may have created it; it is then linked, never created twice.
   */
  findExisting<T extends EntityType>(
    type: T,
    ops: ReadonlyArray<Extract<WriteOp<RecordOf<T>>, { op: 'create' }>>,
  ): Promise<Array<SideItem<RecordOf<T>> | null>>;

  /**
   * Outlook only (contacts, tasks): linked items this side reported gone from the synced folder or list.
   * For each, where it sits now when the user moved it elsewhere in the mailbox (marked `movedOut`), or
   * null when it is really gone. A move is not a deletion (docs/sync.md "Moves").
   */
  findMovedAway?<T extends EntityType>(type: T, gone: ReadonlyArray<{ id: string; crmId: string }>): Promise<Array<SideItem<RecordOf<T>> | null>>;
}
