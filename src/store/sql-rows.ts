// Rows of the relation and journal tables, shared by the SQL stores (sqlite-store.ts, postgres-store.ts).
import type { EntityType, SideName } from '../sync/records';
import type { JournalEntry, Relation } from './types';

export interface RelationRow {
  type: EntityType;
  crm_id: string;
  outlook_id: string;
  crm_version: string;
  outlook_version: string;
  base: string;
}

export interface JournalRow {
  key: string;
  type: EntityType;
  side: SideName;
  op: JournalEntry['op'];
  action: string | null;
  created_at: string;
}

export function toRelation(row: RelationRow): Relation {
  return {
    type: row.type,
    crmId: row.crm_id,
    outlookId: row.outlook_id,
    crmVersion: row.crm_version,
    outlookVersion: row.outlook_version,
    base: JSON.parse(row.base),
  };
}

export function toJournalEntry(row: JournalRow): JournalEntry {
  return {
    key: row.key,
    type: row.type,
    side: row.side,
    op: row.op,
    action: row.action === null ? undefined : JSON.parse(row.action),
    createdAt: row.created_at,
  };
}
