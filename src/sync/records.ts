// Canonical records: what both sides are mapped to and from. Only fields in Oro's documented
// Outlook mapping are here (../shared/facts/sync-design.md, "Field mapping").
import type { RecurrenceRule, SeriesException } from './recurrence';

export type EntityType = 'contact' | 'task' | 'event';
export const ENTITY_TYPES: ReadonlyArray<EntityType> = ['contact', 'task', 'event'];
export type SideName = 'crm' | 'outlook';

export interface PostalAddress {
  street: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  /** ISO 3166-1 alpha-2 where known (Oro's country id), else free text from Outlook. */
  country: string | null;
}

export interface ContactRecord {
  namePrefix: string | null;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  nameSuffix: string | null;
  gender: 'male' | 'female' | null;
  /** Calendar date, `YYYY-MM-DD`. */
  birthday: string | null;
  /** Oro description ↔ Outlook notes. */
  description: string | null;
  jobTitle: string | null;
  fax: string | null;
  /** All emails, primary first. */
  emails: string[];
  /** Oro syncs only the first phone. */
  phone: string | null;
  /** Oro billing ↔ Outlook Business. */
  businessAddress: PostalAddress | null;
  /** Oro shipping ↔ Outlook Home. */
  homeAddress: PostalAddress | null;
  /** Any other Oro address type ↔ Outlook Other. */
  otherAddress: PostalAddress | null;
}

export type TaskPriority = 'low' | 'normal' | 'high';
/** Oro's task statuses; Outlook's five map onto these (sync-design.md). */
export type TaskStatus = 'open' | 'in_progress' | 'closed';

export interface TaskRecord {
  subject: string;
  priority: TaskPriority;
  /** Calendar date in UTC, `YYYY-MM-DD`: To Do keeps due dates date-only. */
  dueDate: string | null;
  status: TaskStatus;
  /** Plain text (rich-text.ts); Oro description ↔ To Do body. Absent in records stored before it was synced. */
  description?: string | null;
}

export interface EventRecord {
  title: string;
  /**
   * Timed events: UTC instants `YYYY-MM-DDTHH:MM:SSZ`.
   * All-day events: calendar dates `YYYY-MM-DD`, end exclusive.
   */
  start: string;
  end: string;
  allDay: boolean;
  /** A recurring series (src/sync/recurrence.ts): start/end are its first occurrence's. Absent or null: a single event. */
  recurrence?: RecurrenceRule | null;
  /** A series' occurrences that differ from its rule, by original start; [] or absent when none. */
  exceptions?: SeriesException[];
  /** Plain text (rich-text.ts); Oro description ↔ Outlook body. Absent in records stored before it was synced. */
  description?: string | null;
  /** Minutes before the start: Oro's earliest reminder ↔ Outlook's reminder (reminders.ts); null: none. */
  reminder?: number | null;
}

export interface RecordTypes {
  contact: ContactRecord;
  task: TaskRecord;
  event: EventRecord;
}
export type RecordOf<T extends EntityType> = RecordTypes[T];
export type CanonicalRecord = ContactRecord | TaskRecord | EventRecord;

/** Oro's first-sync matching keys (sync-design.md, "Identity"). */
export const MATCH_FIELDS: { [T in EntityType]: ReadonlyArray<keyof RecordOf<T>> } = {
  contact: ['firstName', 'lastName', 'gender', 'birthday'],
  event: ['title', 'start', 'end', 'allDay'],
  task: ['subject', 'priority'],
};

/** A stable string for a record's matching key; equal keys mean "the same item" on a first sync. */
export function matchKey<T extends EntityType>(type: T, record: RecordOf<T>): string {
  const fields = MATCH_FIELDS[type] as ReadonlyArray<keyof RecordOf<T>>;
  const key = fields.map((f) => normalizeForMatch(record[f]));
  // A series never matches a single event with its first occurrence's title and times.
  if (type === 'event' && (record as EventRecord).recurrence) key.push('series');
  return JSON.stringify(key);
}

function normalizeForMatch(v: unknown): unknown {
  return typeof v === 'string' ? v.trim().toLowerCase() : v ?? null;
}
