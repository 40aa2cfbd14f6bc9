// Recovery after a crash: every journaled intent is finished or redone, never sent twice
// (sync-design.md "Crash safety", "Idempotent creates"). Deletions waiting for the guard stay put.
import type { JournalEntry, Relation } from '../store/types';
import type { Item, SyncAction } from './actions';
import { conflictRule } from './conflict-rules';
import type { Executor, ExecutionResult } from './executor';
import { actionOf, isDeferredDeletion } from './journal';
import { link, planPair, type PlanSettings, type RelationIndex } from './planner';
import type { CanonicalRecord, EntityType } from './records';
import { sameRecord } from './values';

export async function recoverJournal(
  executor: Executor,
  type: EntityType,
  relations: RelationIndex,
  settings: PlanSettings,
): Promise<ExecutionResult | null> {
  const entries = (await executor.store.journal()).filter((e) => e.type === type && !isDeferredDeletion(e));
  if (entries.length === 0) return null;
  const replan: SyncAction[] = [];
  const replaces: string[] = [];
  for (const entry of entries) {
    const action = actionOf(entry);
    switch (action.kind) {
      case 'CreateInOutlook':
      case 'RecreateInOutlook':
        await finishOutlookCreate(executor, type, entry, action.crm, relations);
        break;
      case 'CreateInCrm':
      case 'RecreateInCrm':
        await finishCrmCreate(executor, type, entry, action.outlook, action.kind === 'RecreateInCrm' ? action.relation : null, relations);
        break;
      default: {
        // Updates: read both items now and plan the pair again. What landed looks like "both changed
        // alike" and is only recorded; what did not land is planned (and written) again.
        const crmId = 'relation' in action ? action.relation.crmId : action.crm.id;
        const outlookId = 'relation' in action ? action.relation.outlookId : action.outlook.id;
        const [crm] = await executor.crm.get(type, [crmId]);
        const [outlook] = await executor.outlook.get(type, [outlookId]);
        const relation = relations.byCrmId(crmId);
        replaces.push(entry.key);
        if (relation && relation.outlookId === outlookId) {
          const next = planPair(type, relation, { item: crm as Item | null }, { item: outlook as Item | null }, settings);
          if (next) replan.push(next);
        } else if (!relation && action.kind === 'LinkMatched' && crm && outlook && !relations.byOutlookId(outlookId)) {
          replan.push(link(type, crm as Item, outlook as Item, settings, conflictRule(settings.conflictResolution)));
        }
      }
    }
  }
  if (replan.length === 0 && replaces.length === 0) return null;
  return executor.execute(type, replan, relations, { replaces });
}

async function finishOutlookCreate(executor: Executor, type: EntityType, entry: JournalEntry, crm: Item, relations: RelationIndex) {
  const found = await executor.outlook.findCreated(type, { op: 'create', key: entry.key, record: crm.record, crmId: crm.id });
  const putRelations: Relation[] = [];
  if (found) {
    putRelations.push({ type, crmId: crm.id, outlookId: found.id, crmVersion: crm.version, outlookVersion: found.version, base: crm.record });
  }
  // Not found: it never reached Outlook. The change that planned it is read again (its checkpoint
  // was not advanced) and planned afresh.
  await executor.store.commit({ putRelations, removeJournal: [entry.key] });
  for (const r of putRelations) relations.put(r);
}

async function finishCrmCreate(
  executor: Executor,
  type: EntityType,
  entry: JournalEntry,
  outlook: Item,
  replaced: Relation | null,
  relations: RelationIndex,
) {
  const found = await executor.crm.findCreated(type, { op: 'create', key: entry.key, record: outlook.record });
  if (!found) {
    await executor.store.commit({ removeJournal: [entry.key] });
    return;
  }
  // The CRM record exists: make sure its id is stamped on the Outlook item, then link them.
  const [current] = await executor.outlook.get(type, [outlook.id]);
  let outlookVersion = outlook.version;
  if (current) {
    const [stamp] = await executor.applyAll(type, 'outlook', [{ op: 'update', id: outlook.id, record: current.record, fields: [], crmId: found.id }]);
    if (!stamp.ok && stamp.retryable) throw new Error(`Could not stamp the OroCRM id on Outlook item ${outlook.id}: ${stamp.message}`);
    // Keep the old version when the user edited the item meanwhile, so the edit is still seen as a change.
    if (stamp.ok && sameRecord(current.record as CanonicalRecord, outlook.record)) outlookVersion = stamp.version;
  }
  const relation: Relation = { type, crmId: found.id, outlookId: outlook.id, crmVersion: found.version, outlookVersion, base: outlook.record };
  await executor.store.commit({
    putRelations: [relation],
    deleteRelations: replaced ? [{ type, crmId: replaced.crmId }] : [],
    removeJournal: [entry.key],
  });
  if (replaced) relations.delete(replaced.crmId);
  relations.put(relation);
}
