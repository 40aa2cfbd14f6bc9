// The planner's vocabulary: every decision has a name (after GenSync's UpdateAToB / RestoreInB).
// Actions are plain JSON so the journal can keep them for recovery.
import type { Relation } from '../store/types';
import type { CanonicalRecord, EntityType, SideName } from './records';
import type { SideItem } from './side';

export type Item = SideItem<CanonicalRecord>;

/** What the conflict log keeps about one decision the rule made. */
export interface ConflictNote {
  fields: string[];
  /** The rule in words, e.g. "OroCRM always wins". */
  rule: string;
  winner: SideName;
  losingValues: Record<string, unknown>;
}

interface Base {
  type: EntityType;
}

/** New in the CRM (or re-added after an Outlook delete): create it in Outlook, stamped with the CRM id. */
export interface CreateInOutlook extends Base {
  kind: 'CreateInOutlook';
  crm: Item;
}
/** Deleted in Outlook, kept in the CRM: re-add it to Outlook; the relation moves to the new item. */
export interface RecreateInOutlook extends Base {
  kind: 'RecreateInOutlook';
  crm: Item;
  relation: Relation;
}
/** New in Outlook: create it in the CRM, then stamp the CRM id back on the Outlook item. */
export interface CreateInCrm extends Base {
  kind: 'CreateInCrm';
  outlook: Item;
}
/** Deleted in the CRM while kept in Outlook, and Outlook wins: create it again in the CRM. */
export interface RecreateInCrm extends Base {
  kind: 'RecreateInCrm';
  outlook: Item;
  relation: Relation;
  conflict: ConflictNote;
}
/** Write `fields` of `record` to the Outlook item; `record` becomes the new base. */
export interface UpdateOutlook extends Base {
  kind: 'UpdateOutlook';
  relation: Relation;
  crm: Item;
  outlook: Item;
  record: CanonicalRecord;
  fields: string[];
}
export interface UpdateCrm extends Base {
  kind: 'UpdateCrm';
  relation: Relation;
  crm: Item;
  outlook: Item;
  record: CanonicalRecord;
  fields: string[];
}
/** Changed on both sides under Both: each side receives the fields it lacks of the merged record. */
export interface MergeBoth extends Base {
  kind: 'MergeBoth';
  relation: Relation;
  crm: Item;
  outlook: Item;
  merged: CanonicalRecord;
  crmFields: string[];
  outlookFields: string[];
  conflict: ConflictNote | null;
}
/** First sync: a CRM record and an Outlook item share the matching key; link them and align fields. */
export interface LinkMatched extends Base {
  kind: 'LinkMatched';
  crm: Item;
  outlook: Item;
  merged: CanonicalRecord;
  crmFields: string[];
  outlookFields: string[];
  conflict: ConflictNote | null;
}
/** A key matched several items: never guessed, shown in the pane. */
export interface ReportAmbiguousMatch extends Base {
  kind: 'ReportAmbiguousMatch';
  side: SideName;
  item: Item;
  candidateIds: string[];
}
/** Delete the Outlook item (the CRM record is gone). Deletions wait for the mass-deletion guard. */
export interface DeleteInOutlook extends Base {
  kind: 'DeleteInOutlook';
  relation: Relation;
  conflict: ConflictNote | null;
}
/** Forget the pair; both items stay as they are (or are already gone). */
export interface Unlink extends Base {
  kind: 'Unlink';
  relation: Relation;
  reason: string;
}
/** Forget the pair and clear the Outlook item's `OroCRM_id`: the CRM record is gone, the Outlook item stays. */
export interface UnlinkAndClearStamp extends Base {
  kind: 'UnlinkAndClearStamp';
  relation: Relation;
  outlook: Item;
}
/**
 * The user moved the Outlook item out of the "OroCRM" folder or list: nothing is deleted or copied, and the
 * pair is parked on the item where it sits now (moved-out.ts), so it is linked again if it comes back.
 */
export interface ParkMovedOut extends Base {
  kind: 'ParkMovedOut';
  relation: Relation;
  /** The item's id now (a To Do task moved between lists gets a new one). */
  outlookId: string;
}
/** Same content, new version (a re-save or our own write seen late): remember the versions only. */
export interface RecordVersions extends Base {
  kind: 'RecordVersions';
  relation: Relation;
  crmVersion: string;
  outlookVersion: string;
  /** The content both sides now hold (unchanged, or both changed alike). */
  base: CanonicalRecord;
}
/** The table says to leave this change alone (e.g. an Outlook edit under OroCRMToOutlook). */
export interface Ignore extends Base {
  kind: 'Ignore';
  side: SideName;
  id: string;
  reason: string;
}

export type SyncAction =
  | CreateInOutlook
  | RecreateInOutlook
  | CreateInCrm
  | RecreateInCrm
  | UpdateOutlook
  | UpdateCrm
  | MergeBoth
  | LinkMatched
  | ReportAmbiguousMatch
  | DeleteInOutlook
  | Unlink
  | UnlinkAndClearStamp
  | ParkMovedOut
  | RecordVersions
  | Ignore;

export type ActionKind = SyncAction['kind'];
