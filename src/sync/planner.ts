// The planner: a pure function from (relations, changes, current items, settings) to named actions.
// Like vdirsyncer's `_get_actions`, it classifies each pair against its last-synced base and looks the
// decision up in one table, BEHAVIOUR, which is the table (Oro's documented behaviour,
// sync-design.md "What Oro's own Outlook add-in does") cell for cell.
import type { ConflictResolution, SyncDirection } from '../settings/options';
import type { Relation } from '../store/types';
import type {
  ConflictNote,
  Item,
  LinkMatched,
  RecordVersions,
  SyncAction,
} from './actions';
import { conflictRule, type ConflictRule } from './conflict-rules';
import { MERGE_UNITS, overwrite, threeWayMerge } from './merge';
import { isMovedOut } from './moved-out';
import { overlapsWindow, type CalendarWindow } from './calendar-window';
import { matchKey, type CanonicalRecord, type EntityType, type EventRecord, type SideName } from './records';
import type { Change } from './side';
import { sameRecord } from './values';

// ---------------------------------------------------------------------------------------------
// The table

/** Where a pair (or an unlinked item) stands since the last sync. */
export type Situation =
  | 'newInCrm'
  | 'newInOutlook'
  /** An Outlook item carries the id of an existing, unlinked CRM record (the relation was lost). */
  | 'stampedInOutlook'
  | 'changedInCrm'
  | 'changedInOutlook'
  | 'changedOnBoth'
  | 'deletedInOutlook'
  | 'deletedInCrm'
  | 'deletedOnBoth'
  /** The user moved the Outlook item out of the "OroCRM" folder or list (it exists elsewhere). */
  | 'movedOutOfOutlook'
  | 'unchanged';

export type Decision =
  | 'matchOrCreateInOutlook'
  | 'matchOrCreateInCrm'
  | 'linkByStamp'
  | 'updateOutlook'
  | 'updateCrm'
  | 'crmOverwritesOutlook'
  | 'outlookOverwritesCrm'
  | 'mergeFieldByField'
  | 'recreateInOutlook'
  | 'unlinkKeepCrm'
  | 'unlinkAndClearStamp'
  | 'parkMovedOut'
  | 'deleteInOutlook'
  | 'recreateInCrm'
  | 'forget'
  | 'ignore'
  | 'nothing';

/** A cell is a decision, or one decision per conflict rule. */
export type Cell = Decision | Readonly<Record<ConflictResolution, Decision>>;

/**
 * The behaviour users rely on. "Outlook never deletes CRM data": no cell deletes a CRM record.
 * Rows: situation of the pair; columns: the Sync Direction setting.
 */
export const BEHAVIOUR: Readonly<Record<Situation, Readonly<Record<SyncDirection, Cell>>>> = {
  //                   OroCRMToOutlook              OutlookToOroCRM             Both
  newInCrm:         { OroCRMToOutlook: 'matchOrCreateInOutlook', OutlookToOroCRM: 'ignore', Both: 'matchOrCreateInOutlook' },
  newInOutlook:     { OroCRMToOutlook: 'ignore', OutlookToOroCRM: 'matchOrCreateInCrm', Both: 'matchOrCreateInCrm' },
  stampedInOutlook: { OroCRMToOutlook: 'linkByStamp', OutlookToOroCRM: 'linkByStamp', Both: 'linkByStamp' },
  changedInCrm:     { OroCRMToOutlook: 'updateOutlook', OutlookToOroCRM: 'ignore', Both: 'updateOutlook' },
  changedInOutlook: { OroCRMToOutlook: 'ignore', OutlookToOroCRM: 'updateCrm', Both: 'updateCrm' },
  changedOnBoth:    { OroCRMToOutlook: 'crmOverwritesOutlook', OutlookToOroCRM: 'outlookOverwritesCrm', Both: 'mergeFieldByField' },
  deletedInOutlook: { OroCRMToOutlook: 'recreateInOutlook', OutlookToOroCRM: 'unlinkKeepCrm', Both: 'recreateInOutlook' },
  deletedInCrm: {
    OroCRMToOutlook: 'unlinkAndClearStamp',
    OutlookToOroCRM: 'deleteInOutlook',
    Both: { OroCRMAlwaysWins: 'deleteInOutlook', OutlookAlwaysWins: 'recreateInCrm' },
  },
  deletedOnBoth:    { OroCRMToOutlook: 'forget', OutlookToOroCRM: 'forget', Both: 'forget' },
  // A move is not a deletion, and never a reason to copy the record back into the folder (docs/sync.md "Moves").
  movedOutOfOutlook: { OroCRMToOutlook: 'parkMovedOut', OutlookToOroCRM: 'parkMovedOut', Both: 'parkMovedOut' },
  unchanged:        { OroCRMToOutlook: 'nothing', OutlookToOroCRM: 'nothing', Both: 'nothing' },
};

export interface PlanSettings {
  direction: SyncDirection;
  conflictResolution: ConflictResolution;
}

export function decide(situation: Situation, settings: PlanSettings): Decision {
  const cell = BEHAVIOUR[situation][settings.direction];
  return typeof cell === 'string' ? cell : cell[settings.conflictResolution];
}

// ---------------------------------------------------------------------------------------------
// The mass-deletion guard (vdirsyncer's StorageEmpty; OGCS #1285, CalDav Synchronizer #106)

export const MASS_DELETION_MIN_ITEMS = 10;
export const MASS_DELETION_MIN_SHARE = 0.25;

/** True when deleting `deletions` of `linked` items needs the user's confirmation first. */
export function needsDeletionConfirmation(deletions: number, linked: number): boolean {
  return deletions > MASS_DELETION_MIN_ITEMS && deletions > MASS_DELETION_MIN_SHARE * linked;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** Relations of one type, looked up both ways. */
export class RelationIndex {
  private readonly byCrm = new Map<string, Relation>();
  private readonly byOutlook = new Map<string, Relation>();

  constructor(relations: Iterable<Relation> = []) {
    for (const r of relations) this.put(r);
  }
  get size(): number {
    return this.byCrm.size;
  }
  byCrmId(id: string): Relation | undefined {
    return this.byCrm.get(id);
  }
  byOutlookId(id: string): Relation | undefined {
    return this.byOutlook.get(id);
  }
  all(): IterableIterator<Relation> {
    return this.byCrm.values();
  }
  put(r: Relation): void {
    const old = this.byCrm.get(r.crmId);
    if (old) this.byOutlook.delete(old.outlookId);
    this.byCrm.set(r.crmId, r);
    this.byOutlook.set(r.outlookId, r);
  }
  delete(crmId: string): void {
    const old = this.byCrm.get(crmId);
    if (!old) return;
    this.byCrm.delete(crmId);
    if (this.byOutlook.get(old.outlookId) === old) this.byOutlook.delete(old.outlookId);
  }
}

export interface SideChange {
  side: SideName;
  change: Change<CanonicalRecord>;
}

export interface PlanInput {
  type: EntityType;
  relations: RelationIndex;
  /** Changes as read, from one side or both; a later change of the same item supersedes an earlier one. */
  changes: ReadonlyArray<SideChange>;
  /**
   * The current items where known, by id (null: it no longer exists). The engine reads the other side
   * of every changed pair just before planning, so a change not yet polled is merged, never overwritten.
   * For a stamped, unlinked Outlook item, `crm` holds the stamped CRM record.
   */
  current?: { crm?: ReadonlyMap<string, Item | null>; outlook?: ReadonlyMap<string, Item | null> };
  /** Items on each side by matching key (first-sync matching). Linked items are skipped here. */
  candidates?: { crm?: ReadonlyMap<string, Item[]>; outlook?: ReadonlyMap<string, Item[]> };
  /** Events: the calendar window; an unlinked event outside it is neither matched nor copied. */
  window?: CalendarWindow;
}

type Known = { item: Item | null } | undefined;

interface Pair {
  relation: Relation;
  crm: Item | null | undefined;
  outlook: Item | null | undefined;
}

// ---------------------------------------------------------------------------------------------
// Planning

export function plan(input: PlanInput, settings: PlanSettings): SyncAction[] {
  const rule = conflictRule(settings.conflictResolution);
  const { type, relations } = input;
  // The latest change per item and side, in the order each item was first seen. Maps keyed by the ids
  // themselves (no key strings built per change: on 100,000 changes that was most of the time).
  const latest: Record<SideName, Map<string, Change<CanonicalRecord>>> = { crm: new Map(), outlook: new Map() };
  for (const { side, change } of input.changes) latest[side].set(changeId(change), change);
  const repeats = latest.crm.size + latest.outlook.size < input.changes.length;
  const bothSides = latest.crm.size > 0 && latest.outlook.size > 0;

  // Per linked pair, what each side's change says: an item, null (deleted) or undefined (not read).
  // Changes from one side reach each relation once, so the index by relation is needed only for both.
  const pairs: Pair[] = [];
  const pairByCrmId = bothSides ? new Map<string, Pair>() : null;
  const fresh: Array<{ side: SideName; item: Item }> = [];
  for (const { side, change: seen } of input.changes) {
    const id = changeId(seen);
    let change = seen;
    if (repeats) {
      const last = latest[side].get(id);
      if (last === undefined) continue; // an item already taken at its first change
      latest[side].delete(id);
      change = last;
    }
    const item = change.kind === 'upsert' ? change.item : null;
    // An item moved out of the list may have a new id (To Do): its stamp names the pair.
    const movedAway = side === 'outlook' && item?.movedOut && typeof item.crmId === 'string' ? relations.byCrmId(item.crmId) : undefined;
    const relation = side === 'crm' ? relations.byCrmId(id) : relations.byOutlookId(id) ?? movedAway;
    if (!relation) {
      if (item) fresh.push({ side, item });
      continue;
    }
    const pair = pairByCrmId?.get(relation.crmId);
    if (pair) {
      pair[side] = item;
      continue;
    }
    const added: Pair = side === 'crm' ? { relation, crm: item, outlook: undefined } : { relation, crm: undefined, outlook: item };
    pairs.push(added);
    pairByCrmId?.set(relation.crmId, added);
  }

  const actions: SyncAction[] = [];
  for (const pair of pairs) {
    const relation = pair.relation;
    const crm = pair.crm !== undefined ? { item: pair.crm } : lookup(input.current?.crm, relation.crmId);
    const moved = pair.outlook?.movedOut ? pair.outlook : null;
    const parked = isMovedOut(relation);
    if (moved || parked) {
      const action = planMovedOut(type, relation, crm, moved ?? pair.outlook, settings, rule);
      if (action) actions.push(action);
      continue;
    }
    const outlook = pair.outlook !== undefined ? { item: pair.outlook } : lookup(input.current?.outlook, relation.outlookId);
    const action = planPair(type, relation, crm, outlook, settings, rule);
    if (action) actions.push(action);
  }
  actions.push(...planFresh(input, fresh, settings, rule));
  return actions;
}

function changeId(change: Change<CanonicalRecord>): string {
  return change.kind === 'upsert' ? change.item.id : change.id;
}

function lookup(map: ReadonlyMap<string, Item | null> | undefined, id: string): Known {
  if (!map) return undefined;
  const item = map.get(id);
  if (item === undefined && !map.has(id)) return undefined;
  return { item: item ?? null };
}

/**
 * A pair whose Outlook item was moved out of the folder or list, now or earlier (moved-out.ts). Moved out:
 * parked. Parked and back in the folder: linked again as by its stamp. Otherwise only a CRM deletion
 * matters (the parked pair is forgotten); CRM edits are not copied to an item the user took out.
 */
function planMovedOut(type: EntityType, relation: Relation, crmKnown: Known, outlook: Item | null | undefined, settings: PlanSettings, rule: ConflictRule): SyncAction | null {
  const crmGone = crmKnown !== undefined && crmKnown.item === null;
  if (outlook?.movedOut) {
    if (crmGone) return { kind: 'Unlink', type, relation, reason: 'Moved out of the OroCRM folder in Outlook; the OroCRM record is gone' };
    if (isMovedOut(relation) && relation.outlookId === outlook.id) return null;
    const decision = decide('movedOutOfOutlook', settings);
    if (decision !== 'parkMovedOut') throw new Error(`Decision ${decision} does not apply to a move`);
    return { kind: 'ParkMovedOut', type, relation, outlookId: outlook.id };
  }
  if (outlook) {
    // Moved back into the folder.
    if (crmKnown?.item) return link(type, crmKnown.item, outlook, settings, rule);
    return planPair(type, relation, crmKnown, { item: outlook }, settings, rule);
  }
  if (crmGone) return { kind: 'Unlink', type, relation, reason: 'The OroCRM record is gone; the Outlook item the user moved away stays' };
  return { kind: 'Ignore', type, side: 'crm', id: relation.crmId, reason: 'Moved out of the OroCRM folder in Outlook: not synced until it is moved back' };
}

type SideStatus = 'U' | 'C' | 'D';

/** Versions are opaque and compared for equality only; equal content under a new version is no change. */
function statusOf(known: { item: Item | null }, version: string, base: CanonicalRecord): SideStatus {
  if (!known.item) return 'D';
  if (known.item.version === version) return 'U';
  return sameRecord(known.item.record, base) ? 'U' : 'C';
}

export function situationOf(crm: SideStatus, outlook: SideStatus): Situation {
  if (crm === 'D') return outlook === 'D' ? 'deletedOnBoth' : 'deletedInCrm';
  if (outlook === 'D') return 'deletedInOutlook';
  if (crm === 'C') return outlook === 'C' ? 'changedOnBoth' : 'changedInCrm';
  return outlook === 'C' ? 'changedInOutlook' : 'unchanged';
}

/** One linked pair. A side not known is taken as unchanged only when the other side is unchanged too. */
export function planPair(
  type: EntityType,
  relation: Relation,
  crmKnown: Known,
  outlookKnown: Known,
  settings: PlanSettings,
  rule: ConflictRule = conflictRule(settings.conflictResolution),
): SyncAction | null {
  const crmStatus = crmKnown ? statusOf(crmKnown, relation.crmVersion, relation.base) : undefined;
  const outlookStatus = outlookKnown ? statusOf(outlookKnown, relation.outlookVersion, relation.base) : undefined;
  if (crmStatus === undefined || outlookStatus === undefined) {
    const seen = crmStatus ?? outlookStatus;
    if (seen === undefined || seen !== 'U') {
      throw new Error(`Planning ${type} ${relation.crmId} needs the current item on both sides`);
    }
    return versionsOnly(type, relation, crmKnown?.item ?? null, outlookKnown?.item ?? null, relation.base);
  }
  const c = crmKnown!.item;
  const o = outlookKnown!.item;
  const decision = decide(situationOf(crmStatus, outlookStatus), settings);
  switch (decision) {
    case 'nothing':
    case 'ignore': {
      if (decision === 'nothing') return versionsOnly(type, relation, c, o, relation.base);
      // Versions stay as they were: an ignored edit is still "changed" if the direction changes later.
      const side: SideName = crmStatus === 'C' ? 'crm' : 'outlook';
      return { kind: 'Ignore', type, side, id: side === 'crm' ? relation.crmId : relation.outlookId, reason: `${settings.direction}: ${side === 'crm' ? 'OroCRM' : 'Outlook'} changes are not applied` };
    }
    case 'updateOutlook':
    case 'crmOverwritesOutlook': {
      const fields = overwrite(c!.record, o!.record);
      if (fields.length === 0) return versionsOnly(type, relation, c, o, c!.record);
      return { kind: 'UpdateOutlook', type, relation, crm: c!, outlook: o!, record: c!.record, fields };
    }
    case 'updateCrm':
    case 'outlookOverwritesCrm': {
      const fields = overwrite(o!.record, c!.record);
      if (fields.length === 0) return versionsOnly(type, relation, c, o, o!.record);
      return { kind: 'UpdateCrm', type, relation, crm: c!, outlook: o!, record: o!.record, fields };
    }
    case 'mergeFieldByField': {
      const m = threeWayMerge(relation.base, c!.record, o!.record, rule, MERGE_UNITS[type]);
      if (m.crmFields.length === 0 && m.outlookFields.length === 0) return versionsOnly(type, relation, c, o, m.merged);
      const conflict = m.conflicts.length === 0 ? null : noteOf(m.conflicts, rule);
      return { kind: 'MergeBoth', type, relation, crm: c!, outlook: o!, merged: m.merged, crmFields: m.crmFields, outlookFields: m.outlookFields, conflict };
    }
    case 'recreateInOutlook':
      return { kind: 'RecreateInOutlook', type, relation, crm: c! };
    case 'unlinkKeepCrm':
      return { kind: 'Unlink', type, relation, reason: 'Deleted in Outlook; the OroCRM record stays' };
    case 'unlinkAndClearStamp':
      return { kind: 'UnlinkAndClearStamp', type, relation, outlook: o! };
    case 'deleteInOutlook':
      return {
        kind: 'DeleteInOutlook',
        type,
        relation,
        conflict: settings.direction === 'Both' ? deletionNote(rule, 'crm', o!.record) : null,
      };
    case 'recreateInCrm':
      return { kind: 'RecreateInCrm', type, relation, outlook: o!, conflict: deletionNote(rule, 'outlook', {}) };
    case 'forget':
      return { kind: 'Unlink', type, relation, reason: 'Deleted on both sides' };
    default:
      throw new Error(`Decision ${decision} does not apply to a linked pair`);
  }
}

function versionsOnly(
  type: EntityType,
  relation: Relation,
  crm: Item | null,
  outlook: Item | null,
  base: CanonicalRecord,
): RecordVersions | null {
  const crmVersion = crm?.version ?? relation.crmVersion;
  const outlookVersion = outlook?.version ?? relation.outlookVersion;
  if (crmVersion === relation.crmVersion && outlookVersion === relation.outlookVersion && sameRecord(base, relation.base)) {
    return null; // echo: exactly what we last wrote or saw
  }
  return { kind: 'RecordVersions', type, relation, crmVersion, outlookVersion, base };
}

function noteOf(conflicts: ReadonlyArray<{ field: string; winner: SideName; losingValue: unknown }>, rule: ConflictRule): ConflictNote {
  return {
    fields: conflicts.map((c) => c.field),
    rule: rule.ruleName,
    winner: conflicts[0].winner,
    losingValues: Object.fromEntries(conflicts.map((c) => [c.field, c.losingValue])),
  };
}

/** A deletion decided by the rule under Both is logged like a conflict. */
export const DELETED_IN_CRM_FIELD = '(deleted in OroCRM)';
function deletionNote(rule: ConflictRule, winner: SideName, losing: CanonicalRecord | Record<string, never>): ConflictNote {
  return { fields: [DELETED_IN_CRM_FIELD], rule: rule.ruleName, winner, losingValues: { ...losing } };
}

/** Unlinked items: first-sync matching by key, else create (or ignore) per the table. */
function planFresh(
  input: PlanInput,
  fresh: ReadonlyArray<{ side: SideName; item: Item }>,
  settings: PlanSettings,
  rule: ConflictRule,
): SyncAction[] {
  const { type, relations } = input;
  const claimed = new Set<string>(); // `${side}:${id}` matched earlier in this batch
  const peers = new Map<string, number>();
  for (const f of fresh) {
    const k = `${f.side}:${matchKey(type, f.item.record as never)}`;
    peers.set(k, (peers.get(k) ?? 0) + 1);
  }
  const actions: SyncAction[] = [];
  for (const { side, item } of fresh) {
    if (item.movedOut) {
      actions.push({ kind: 'Ignore', type, side, id: item.id, reason: 'Outside the OroCRM folder in Outlook' });
      continue;
    }
    const stamped = side === 'outlook' && typeof item.crmId === 'string' ? item.crmId : null;
    // A stamp of a parked pair: a task moved back into the list (with a new id) is linked again.
    const stampFree = stamped !== null && (!relations.byCrmId(stamped) || isMovedOut(relations.byCrmId(stamped)));
    const stampedCrm = stampFree && !claimed.has(`crm:${stamped}`) ? lookup(input.current?.crm, stamped!)?.item : null;
    const situation: Situation = stampedCrm ? 'stampedInOutlook' : side === 'crm' ? 'newInCrm' : 'newInOutlook';
    const decision = decide(situation, settings);
    if (decision === 'ignore') {
      actions.push({ kind: 'Ignore', type, side, id: item.id, reason: `${settings.direction}: new ${side === 'crm' ? 'OroCRM' : 'Outlook'} items are not copied` });
      continue;
    }
    if (decision === 'linkByStamp') {
      claimed.add(`crm:${stampedCrm!.id}`).add(`outlook:${item.id}`);
      actions.push(link(type, stampedCrm!, item, settings, rule));
      continue;
    }
    if (type === 'event' && input.window && !overlapsWindow(item.record as EventRecord, input.window)) {
      // Parked until the window reaches it (calendar-window.ts): Outlook cannot track it out there.
      actions.push({ kind: 'Ignore', type, side, id: item.id, reason: 'Outside the calendar window' });
      continue;
    }
    const other: SideName = side === 'crm' ? 'outlook' : 'crm';
    const key = matchKey(type, item.record as never);
    const candidates = (input.candidates?.[other]?.get(key) ?? []).filter(
      (c) => !claimed.has(`${other}:${c.id}`) && !(other === 'crm' ? relations.byCrmId(c.id) : relations.byOutlookId(c.id)),
    );
    if (candidates.length === 0) {
      actions.push(side === 'crm' ? { kind: 'CreateInOutlook', type, crm: item } : { kind: 'CreateInCrm', type, outlook: item });
      continue;
    }
    // A stamp pointing at this very record is not a guess.
    const byStamp = side === 'crm' ? candidates.filter((c) => c.crmId === item.id) : [];
    const chosen = byStamp.length === 1 ? byStamp : candidates;
    if (chosen.length > 1 || (byStamp.length !== 1 && (peers.get(`${side}:${key}`) ?? 0) > 1)) {
      actions.push({ kind: 'ReportAmbiguousMatch', type, side, item, candidateIds: candidates.map((c) => c.id) });
      continue;
    }
    const match = chosen[0];
    claimed.add(`${other}:${match.id}`).add(`${side}:${item.id}`);
    actions.push(side === 'crm' ? link(type, item, match, settings, rule) : link(type, match, item, settings, rule));
  }
  return actions;
}

/** Differing fields of a first-sync match go to the direction's source; under Both, to the rule's winner. */
export function link(type: EntityType, crm: Item, outlook: Item, settings: PlanSettings, rule: ConflictRule): LinkMatched {
  if (settings.direction === 'OroCRMToOutlook') {
    return { kind: 'LinkMatched', type, crm, outlook, merged: crm.record, crmFields: [], outlookFields: overwrite(crm.record, outlook.record), conflict: null };
  }
  if (settings.direction === 'OutlookToOroCRM') {
    return { kind: 'LinkMatched', type, crm, outlook, merged: outlook.record, crmFields: overwrite(outlook.record, crm.record), outlookFields: [], conflict: null };
  }
  const m = threeWayMerge(undefined, crm.record, outlook.record, rule, MERGE_UNITS[type]);
  const conflict = m.conflicts.length === 0 ? null : noteOf(m.conflicts, rule);
  return { kind: 'LinkMatched', type, crm, outlook, merged: m.merged, crmFields: m.crmFields, outlookFields: m.outlookFields, conflict };
}
