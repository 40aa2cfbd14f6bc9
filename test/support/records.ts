// Canonical records for tests, built from an empty one so a test names only the fields it cares about.
import type { ContactRecord } from '../../src/sync/records';

/** A contact with every field null and no emails, except the `fields` given (a fresh object each call). */
export function blankContact(fields: Partial<ContactRecord> = {}): ContactRecord {
  return {
    namePrefix: null,
    firstName: null,
    middleName: null,
    lastName: null,
    nameSuffix: null,
    gender: null,
    birthday: null,
    description: null,
    jobTitle: null,
    fax: null,
    emails: [],
    phone: null,
    businessAddress: null,
    homeAddress: null,
    otherAddress: null,
    ...fields,
  };
}
