// Small builders for planner tests: one contact pair with a base and per-side states.
import type { Item } from '../../src/sync/actions';
import { RelationIndex, type PlanSettings } from '../../src/sync/planner';
import type { ContactRecord } from '../../src/sync/records';
import type { Relation } from '../../src/store/types';
import { blankContact } from '../support/records';

export function contact(overrides: Partial<ContactRecord> = {}): ContactRecord {
  return blankContact({
    firstName: 'Ann',
    lastName: 'Lee',
    gender: 'female',
    birthday: '1980-02-03',
    jobTitle: 'Buyer',
    emails: ['ann@example.com'],
    phone: '+1 555 0100',
    ...overrides,
  });
}

export const BASE = contact();

export function relation(overrides: Partial<Relation> = {}): Relation {
  return { type: 'contact', crmId: 'c1', outlookId: 'o1', crmVersion: 'cv1', outlookVersion: 'ov1', base: BASE, ...overrides };
}

export function item(id: string, version: string, record: ContactRecord, crmId?: string | null): Item {
  return crmId === undefined ? { id, version, record } : { id, version, record, crmId };
}

export function index(...relations: Relation[]): RelationIndex {
  return new RelationIndex(relations);
}

export const DIRECTIONS = ['OroCRMToOutlook', 'OutlookToOroCRM', 'Both'] as const;
export const RULES = ['OroCRMAlwaysWins', 'OutlookAlwaysWins'] as const;
export const ALL_SETTINGS: PlanSettings[] = DIRECTIONS.flatMap((direction) =>
  RULES.map((conflictResolution) => ({ direction, conflictResolution })),
);
