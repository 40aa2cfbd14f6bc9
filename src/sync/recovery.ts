// Recovery after a crash: every journaled intent is finished or redone, never sent twice
// (sync-design.md "Crash safety", "Idempotent creates"). Deletions waiting for the guard stay put.
import { isMovedOut } from './moved-out';
import { restOfSeriesCreate } from './series-writes';
import type { SideItem, WriteOp } from './side';
import type { JournalEntry, Relation } from '../store/types';
import type { Item, SyncAction } from './actions';
import { conflictRule } from './conflict-rules';
import { currentItems } from './current-items';
import type { Executor, ExecutionResult } from './executor';
import { actionOf, isDeferredDeletion } from './journal';
import { link, planPair, type PlanSettings, type RelationIndex, type SideChange } from './planner';
import type { CanonicalRecord, EntityType, SideName } from './records';
import { fieldValue, sameRecord, sameValue, withFields } from './values';

/** What recovery could not settle alone: items to plan again as fresh changes, taking over `replaces`. */
export interface Refeed {
  changes: SideChange[];
  replaces: string[];
}

export async function recoverJournal(
  executor: Executor,
  type: EntityType,
  relations: RelationIndex,
  settings: PlanSettings,
): Promise<{ executed: ExecutionResult | null; refeed: Refeed }> {
  const entries = (await executor.store.journal()).filter((e) => e.type === type && !isDeferredDeletion(e));
  const refeed: Refeed = { changes: [], replaces: [] };
  if (entries.length === 0) return { executed: null, refeed };
  const replan: SyncAction[] = [];
  const replaces: string[] = [];
  const replanPair = async (key: string, crmId: string, outlookId: string, journaled: SyncAction | null) => {
    // Read both items now and plan the pair again from what is known to have landed.
    const [crm] = await currentItems(executor.crm, type, [crmId]);
    const [outlook] = await currentItems(executor.outlook, type, [outlookId]);
    const relation = relations.byCrmId(crmId);
    replaces.push(key);
    if (relation && relation.outlookId === outlookId) {
      const redo = journaled && redoRest(journaled, crm, outlook);
      if (redo) {
        replan.push(redo);
        return;
      }
      const next = planPair(type, journaled ? landedBase(journaled, relation, crm, outlook) : relation, { item: crm }, { item: outlook }, settings);
      if (next) replan.push(next);
    } else if ((!relation || isMovedOut(relation)) && journaled?.kind === 'LinkMatched' && crm && outlook && !relations.byOutlookId(outlookId)) {
      replan.push(link(type, crm, outlook, settings, conflictRule(settings.conflictResolution)));
    }
  };
  const refeedItem = async (key: string, side: SideName, id: string) => {
    // A create that never landed: plan its source item again (it may have changed or gone since).
    const [current] = await currentItems(executor.side(side), type, [id]);
    refeed.replaces.push(key);
    const linked = side === 'crm' ? relations.byCrmId(id) : relations.byOutlookId(id);
    if (current && !linked) refeed.changes.push({ side, change: { kind: 'upsert', item: current as Item } });
  };
  for (const entry of entries) {
    const action = actionOf(entry);
    switch (action.kind) {
      case 'CreateInOutlook':
      case 'RecreateInOutlook':
        if (!(await finishOutlookCreate(executor, type, entry, action.crm, relations))) {
          if (action.kind === 'RecreateInOutlook') await replanPair(entry.key, action.relation.crmId, action.relation.outlookId, null);
          else await refeedItem(entry.key, 'crm', action.crm.id);
        }
        break;
      case 'CreateInCrm':
      case 'RecreateInCrm': {
        const replaced = action.kind === 'RecreateInCrm' ? action.relation : null;
        if (!(await finishCrmCreate(executor, type, entry, action.outlook, replaced, relations))) {
          if (replaced) await replanPair(entry.key, replaced.crmId, replaced.outlookId, null);
          else await refeedItem(entry.key, 'outlook', action.outlook.id);
        }
        break;
      }
      default: {
        const crmId = 'relation' in action ? action.relation.crmId : action.crm.id;
        const outlookId = 'relation' in action ? action.relation.outlookId : action.outlook.id;
        await replanPair(entry.key, crmId, outlookId, action);
      }
    }
  }
  const executed = replan.length === 0 && replaces.length === 0 ? null : await executor.execute(type, replan, relations, { replaces });
  return { executed, refeed };
}

/** True when the create had landed and is now recorded. */
async function finishOutlookCreate(executor: Executor, type: EntityType, entry: JournalEntry, crm: Item, relations: RelationIndex): Promise<boolean> {
  const op = { op: 'create', key: entry.key, record: crm.record, crmId: crm.id } as const;
  const seen = await executor.outlook.findCreated(type, op);
  if (!seen) return false;
  const found = await finishSeries(executor, type, 'outlook', op, seen);
  const relation: Relation = { type, crmId: crm.id, outlookId: found.id, crmVersion: crm.version, outlookVersion: versionIfUnedited(found, crm.record), base: crm.record };
  await executor.store.commit({ putRelations: [relation], removeJournal: [entry.key] });
  relations.put(relation);
  return true;
}

async function finishCrmCreate(
  executor: Executor,
  type: EntityType,
  entry: JournalEntry,
  outlook: Item,
  replaced: Relation | null,
  relations: RelationIndex,
): Promise<boolean> {
  const op = { op: 'create', key: entry.key, record: outlook.record } as const;
  const seen = await executor.crm.findCreated(type, op);
  if (!seen) return false;
  const found = await finishSeries(executor, type, 'crm', op, seen);
  // The CRM record exists: make sure its id is stamped on the Outlook item, then link them.
  const [current] = await currentItems(executor.outlook, type, [outlook.id]);
  let outlookVersion = outlook.version;
  if (current) {
    const [stamp] = await executor.applyAll(type, 'outlook', [{ op: 'update', id: outlook.id, record: current.record, fields: [], crmId: found.id }]);
    if (!stamp.ok && stamp.retryable) throw new Error(`Could not stamp the OroCRM id on Outlook item ${outlook.id}: ${stamp.message}`);
    // Keep the old version when the user edited the item meanwhile, so the edit is still seen as a change.
    if (stamp.ok && sameRecord(current.record as CanonicalRecord, outlook.record)) outlookVersion = stamp.version;
  }
  const relation: Relation = { type, crmId: found.id, outlookId: outlook.id, crmVersion: versionIfUnedited(found, outlook.record), outlookVersion, base: outlook.record };
  await executor.store.commit({
    putRelations: [relation],
    deleteRelations: replaced ? [{ type, crmId: replaced.crmId }] : [],
    removeJournal: [entry.key],
  });
  if (replaced) relations.delete(replaced.crmId);
  relations.put(relation);
  return true;
}

/**
 * A series found after a crash between its master and its exceptions gets its exceptions now; the item
 * then holds what the create meant to write, with the version that write left (series-writes.ts).
 */
async function finishSeries(executor: Executor, type: EntityType, side: SideName, op: Extract<WriteOp<CanonicalRecord>, { op: 'create' }>, found: SideItem<CanonicalRecord>): Promise<SideItem<CanonicalRecord>> {
  const rest = restOfSeriesCreate(type, op, found);
  if (!rest) return found;
  const [done] = await executor.applyAll(type, side, [rest]);
  if (done.ok) return { ...found, version: done.version, record: op.record };
  if (done.retryable) throw new Error(`Could not finish the series ${found.id} on ${side}: ${done.message}`);
  return found; // refused for good: recorded as found, so the difference is planned again from what is there
}

/** A version that never equals a real one: the item is compared by content on its next read. */
export const UNKNOWN_VERSION = '(unknown version)';

/**
 * The version found now may already include an edit made after our create. Recording it would hide
 * that edit as an echo, so it is recorded only when the item still holds what we wrote.
 */
function versionIfUnedited(found: { version: string; record: unknown }, written: CanonicalRecord): string {
  return sameRecord(found.record as CanonicalRecord, written) ? found.version : UNKNOWN_VERSION;
}

type PairWrite = { record: CanonicalRecord; fields: string[] };

/** What a journaled update meant to write to each side, and the base it meant to leave behind. */
function intentOf(action: SyncAction): { base: CanonicalRecord; crm: PairWrite | null; outlook: PairWrite | null } | null {
  switch (action.kind) {
    case 'UpdateCrm':
      return { base: action.record, crm: { record: action.record, fields: action.fields }, outlook: null };
    case 'UpdateOutlook':
      return { base: action.record, crm: null, outlook: { record: action.record, fields: action.fields } };
    case 'MergeBoth':
      return {
        base: action.merged,
        crm: action.crmFields.length ? { record: action.merged, fields: action.crmFields } : null,
        outlook: action.outlookFields.length ? { record: action.merged, fields: action.outlookFields } : null,
      };
    default:
      return null;
  }
}

function landed(item: Item | null, write: PairWrite): boolean {
  return !!item && write.fields.every((f) => sameValue(fieldValue(item.record, f), fieldValue(write.record, f)));
}

/**
 * The base to plan a journaled update again with, from what landed:
 * - every write landed: the base it meant to leave behind; written sides are compared by content;
 * - some landed: that base, except that a side whose write did not land still holds (in the fields
 *   it was to receive) what it held when planned, so those fields are sent to it again unless it was
 *   edited since, and then the rule decides;
 * - nothing landed: the old base.
 */
function landedBase(action: SyncAction, relation: Relation, crm: Item | null, outlook: Item | null): Relation {
  const intent = intentOf(action);
  if (!intent || !(action.kind === 'UpdateCrm' || action.kind === 'UpdateOutlook' || action.kind === 'MergeBoth')) return relation;
  const crmLanded = !intent.crm || landed(crm, intent.crm);
  const outlookLanded = !intent.outlook || landed(outlook, intent.outlook);
  if (crmLanded && outlookLanded) {
    return {
      ...relation,
      base: intent.base,
      crmVersion: intent.crm ? UNKNOWN_VERSION : action.crm.version,
      outlookVersion: intent.outlook ? UNKNOWN_VERSION : action.outlook.version,
    };
  }
  const someLanded = (intent.crm && crmLanded) || (intent.outlook && outlookLanded);
  if (!someLanded) return relation;
  let base = intent.base;
  if (intent.crm && !crmLanded) base = withFields(base, action.crm.record, intent.crm.fields);
  if (intent.outlook && !outlookLanded) base = withFields(base, action.outlook.record, intent.outlook.fields);
  return { ...relation, base, crmVersion: UNKNOWN_VERSION, outlookVersion: UNKNOWN_VERSION };
}

/** The CRM half of a merge landed and the Outlook item is as it was planned: send the Outlook half again. */
function redoRest(action: SyncAction, crm: Item | null, outlook: Item | null): SyncAction | null {
  if (action.kind !== 'MergeBoth' || action.crmFields.length === 0 || action.outlookFields.length === 0) return null;
  if (!crm || !outlook || !sameRecord(crm.record, action.merged) || outlook.version !== action.outlook.version) return null;
  if (landed(outlook, { record: action.merged, fields: action.outlookFields })) return null;
  return { ...action, crm, crmFields: [] };
}
