// What every store enforces the same way. Value checks run just before each write, inside the
// commit's transaction, so a bad item anywhere in a commit aborts the whole commit.
import { ENTITY_TYPES } from '../sync/records';
import type { ConflictLogEntry, JournalEntry, Relation } from './types';

/** A value the store refuses to keep; the commit it came in is not applied. */
export class StoreValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreValueError';
  }
}

const SIDES = ['crm', 'outlook'];
const OPS = ['create', 'update', 'delete'];

export function checkEntityType(value: unknown, what: string): void {
  if (!ENTITY_TYPES.includes(value as never)) fail(`${what}: type must be one of ${ENTITY_TYPES.join(', ')}`);
}

export function checkSide(value: unknown, what: string): void {
  if (!SIDES.includes(value as never)) fail(`${what}: side must be "crm" or "outlook"`);
}

export function checkRelation(r: Relation): void {
  const what = `Relation ${describe(r?.crmId)}`;
  checkEntityType(r?.type, what);
  for (const field of ['crmId', 'outlookId'] as const) checkId(r[field], `${what}: ${field}`);
  for (const field of ['crmVersion', 'outlookVersion'] as const) {
    if (typeof r[field] !== 'string') fail(`${what}: ${field} must be a string`);
  }
  if (r.base === null || typeof r.base !== 'object') fail(`${what}: base must be a record object`);
}

export function checkRelationKey(k: { type: unknown; crmId: unknown }): void {
  checkEntityType(k?.type, 'Relation to delete');
  checkId(k.crmId, 'Relation to delete: crmId');
}

export function checkJournalEntry(e: JournalEntry): void {
  const what = `Journal entry ${describe(e?.key)}`;
  checkId(e?.key, `${what}: key`);
  checkEntityType(e.type, what);
  checkSide(e.side, what);
  if (!OPS.includes(e.op)) fail(`${what}: op must be create, update or delete`);
  if (typeof e.createdAt !== 'string') fail(`${what}: createdAt must be a string`);
}

export function checkCheckpoint(c: { type: unknown; side: unknown; checkpoint: unknown }): void {
  checkEntityType(c?.type, 'Checkpoint');
  checkSide(c.side, 'Checkpoint');
  if (c.checkpoint !== null && typeof c.checkpoint !== 'string') fail('Checkpoint must be a string or null');
}

export function checkConflict(c: ConflictLogEntry): void {
  const what = `Conflict log entry ${describe(c?.item)}`;
  checkEntityType(c?.type, what);
  checkSide(c.winner, `${what}: winner`);
  if (typeof c.at !== 'string') fail(`${what}: at must be a string`);
  if (!Array.isArray(c.fields)) fail(`${what}: fields must be an array`);
}

export function checkId(value: unknown, what: string): void {
  if (typeof value !== 'string' || value === '') fail(`${what} must be a non-empty string`);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : '(unnamed)';
}

function fail(message: string): never {
  throw new StoreValueError(message);
}

/** Journal entries come back oldest first, ties broken by key, in every store. */
export function journalOrder(a: JournalEntry, b: JournalEntry): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** `holder` is the CRM id already linked, when the store can tell (IndexedDB's unique index cannot). */
export function outlookIdTaken(r: Relation, holder?: string): StoreValueError {
  const linked = holder === undefined ? 'another CRM record' : `CRM record ${JSON.stringify(holder)}`;
  return new StoreValueError(
    `Outlook ${r.type} ${JSON.stringify(r.outlookId)} is already linked to ${linked}; ` +
      `unlink it before linking it to ${JSON.stringify(r.crmId)}`,
  );
}
