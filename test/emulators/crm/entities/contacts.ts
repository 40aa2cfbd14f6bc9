// The `contacts` and `contactaddresses` resources (oro-api.md §1). Addresses are written inline:
// `relationships.addresses` lists them and new ones come in `included` (Oro's orphan removal drops
// addresses no longer listed); an included address whose `owner` names the contact is added too.
import type Database from 'better-sqlite3';
import type { CrmUser } from '../context';
import { problem, type ErrorObject } from '../jsonapi';
import { applyAttributes, readToMany, readToOne, type AttrSpec, type ResourceObject } from './attributes';
import { AUDIT_CLASSES } from './audit';
import { countryHasRegions, countryName, regionById } from './regions';
import type { BaseEntity, ResourceType, SerializeOptions, WriteContext } from './resources';
import { userById } from './schema';

const NAME = { kind: 'string', max: 255 } as const;
/** ContactBundle validation.yml: a contact's first and last names hold at most 100 characters. */
export const CONTACT_NAME_MAX = 100;

export const CONTACT_ATTRIBUTES: AttrSpec = {
  namePrefix: NAME,
  firstName: NAME,
  middleName: NAME,
  lastName: NAME,
  nameSuffix: NAME,
  gender: { kind: 'enum', values: ['male', 'female'] },
  birthday: { kind: 'date' },
  description: { kind: 'text' },
  jobTitle: NAME,
  fax: NAME,
  skype: NAME,
  twitter: NAME,
  facebook: NAME,
  googlePlus: NAME,
  linkedIn: NAME,
  primaryEmail: NAME,
  primaryPhone: NAME,
  emails: { kind: 'list', key: 'email', max: 255 },
  phones: { kind: 'list', key: 'phone', max: 255 },
  externalId: { kind: 'string', max: 36 },
};
const SCALAR_ATTRIBUTES = Object.keys(CONTACT_ATTRIBUTES).filter((k) => !['emails', 'phones', 'externalId', 'primaryEmail', 'primaryPhone'].includes(k));
const READ_ONLY = ['createdAt', 'updatedAt', 'lastContactedDate', 'lastContactedDateIn', 'lastContactedDateOut', 'timesContacted', 'timesContactedIn', 'timesContactedOut'];
/** Relationships Oro has but the emulator does not model: accepted and ignored on input. */
const IGNORED_RELATIONSHIPS = ['accounts', 'defaultInAccounts', 'groups', 'source', 'method', 'assignedTo', 'reportsTo', 'picture', 'createdBy', 'updatedBy'];

export const ADDRESS_ATTRIBUTES: AttrSpec = {
  primary: { kind: 'bool' },
  label: NAME,
  // AddressBundle validation.yml: street and street2 `Length max: 500`.
  street: { kind: 'string', max: 500 },
  street2: { kind: 'string', max: 500 },
  city: NAME,
  postalCode: NAME,
  organization: NAME,
  namePrefix: NAME,
  firstName: NAME,
  middleName: NAME,
  lastName: NAME,
  nameSuffix: NAME,
  customRegion: NAME,
};
export const ADDRESS_TYPES = ['billing', 'shipping'] as const;

export interface AddressEntity {
  id: number;
  createdAt: string;
  updatedAt: string;
  attrs: Record<string, unknown>;
  types: string[];
  country: string | null;
  region: string | null;
  /** The id the client used in `included` (for meta.includeId), when written by this request. */
  requestId?: string;
}

export interface ContactEntity extends BaseEntity {
  externalId: string | null;
  attrs: Record<string, unknown> & { emails: string[]; phones: string[]; primaryEmail: string | null; primaryPhone: string | null };
  addresses: AddressEntity[];
}

interface ContactRow {
  id: number;
  owner_id: number;
  organization_id: number;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  attrs: string;
}
interface AddressRow {
  id: number;
  contact_id: number;
  created_at: string;
  updated_at: string;
  attrs: string;
  types: string;
  country: string;
  region: string | null;
}

function toEntity(row: ContactRow, addresses: AddressRow[]): ContactEntity {
  return {
    id: row.id,
    ownerId: row.owner_id,
    organizationId: row.organization_id,
    externalId: row.external_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    attrs: JSON.parse(row.attrs) as ContactEntity['attrs'],
    addresses: addresses.map((a) => ({ id: a.id, createdAt: a.created_at, updatedAt: a.updated_at, attrs: JSON.parse(a.attrs) as Record<string, unknown>, types: JSON.parse(a.types) as string[], country: a.country, region: a.region })),
  };
}

const epoch = (iso: string) => Date.parse(iso) / 1000;

export function blankContactAttrs(): ContactEntity['attrs'] {
  const attrs: Record<string, unknown> = {};
  for (const k of SCALAR_ATTRIBUTES) attrs[k] = null;
  return { ...attrs, emails: [], phones: [], primaryEmail: null, primaryPhone: null };
}

export const contactsResource: ResourceType<ContactEntity> = {
  type: 'contacts',
  auditClass: AUDIT_CLASSES.contacts,
  filters: {
    id: { kind: 'integer', get: (e) => e.id },
    owner: { kind: 'integer', get: (e) => e.ownerId },
    organization: { kind: 'integer', get: (e) => e.organizationId },
    createdAt: { kind: 'datetime', get: (e) => epoch(e.createdAt) },
    updatedAt: { kind: 'datetime', get: (e) => epoch(e.updatedAt) },
    externalId: { kind: 'string', get: (e) => e.externalId },
    firstName: { kind: 'string', get: (e) => (e.attrs.firstName as string | null) ?? null },
    primaryEmail: { kind: 'string', get: (e) => e.attrs.primaryEmail },
    emails: { kind: 'string', get: (e) => e.attrs.emails },
    primaryPhone: { kind: 'string', get: (e) => e.attrs.primaryPhone },
    phones: { kind: 'string', get: (e) => e.attrs.phones },
  },
  sorters: {
    id: (e) => e.id,
    createdAt: (e) => e.createdAt,
    updatedAt: (e) => e.updatedAt,
    firstName: (e) => (e.attrs.firstName as string | null) ?? null,
    lastName: (e) => (e.attrs.lastName as string | null) ?? null,
    emails: (e) => e.attrs.primaryEmail,
    phones: (e) => e.attrs.primaryPhone,
  },
  includes: ['addresses'],

  all(db) {
    const addresses = db.prepare('SELECT * FROM crm_contact_addresses ORDER BY id').all() as AddressRow[];
    const byContact = new Map<number, AddressRow[]>();
    for (const a of addresses) byContact.set(a.contact_id, [...(byContact.get(a.contact_id) ?? []), a]);
    return (db.prepare('SELECT * FROM crm_contacts ORDER BY id').all() as ContactRow[]).map((r) => toEntity(r, byContact.get(r.id) ?? []));
  },
  load(db, id) {
    const row = db.prepare('SELECT * FROM crm_contacts WHERE id = ?').get(id) as ContactRow | undefined;
    if (!row) return null;
    return toEntity(row, db.prepare('SELECT * FROM crm_contact_addresses WHERE contact_id = ? ORDER BY id').all(id) as AddressRow[]);
  },
  blank(user: CrmUser, now: string) {
    return { id: 0, ownerId: user.id, organizationId: user.organizationId, externalId: null, createdAt: now, updatedAt: now, attrs: blankContactAttrs(), addresses: [] };
  },
  clone(e) {
    return JSON.parse(JSON.stringify(e)) as ContactEntity;
  },

  apply(e, item, w) {
    const p = w.pointer;
    const attrs: Record<string, unknown> = {};
    const touched = applyAttributes(attrs, item.attributes, CONTACT_ATTRIBUTES, READ_ONLY, p, w.problems);
    for (const k of touched) {
      if (k === 'externalId') e.externalId = attrs[k] as string | null;
      else (e.attrs as Record<string, unknown>)[k] = attrs[k];
    }
    // Oro keeps the primary value inside the collection (oro-api.md §1: both lists contain the primary).
    mergePrimary(e.attrs, 'emails', 'primaryEmail', touched);
    mergePrimary(e.attrs, 'phones', 'primaryPhone', touched);
    applyOwnership(e, item, w);
    applyAddresses(e, item, w);
    for (const name of Object.keys(item.relationships ?? {})) {
      if (!['owner', 'organization', 'addresses', ...IGNORED_RELATIONSHIPS].includes(name)) {
        w.problems.add(400, 'extra fields constraint', `This form should not contain extra fields: "${name}".`, `${p}/relationships`);
      }
    }
  },
  validate(e, w) {
    const a = e.attrs;
    // crm ContactBundle Resources/config/validation.yml: firstName/lastName Length max 100 (the column
    // holds 255), birthday LessThanOrEqual "now UTC" (a date, so today is fine).
    for (const name of ['firstName', 'lastName'] as const) {
      const v = a[name];
      if (typeof v === 'string' && [...v].length > CONTACT_NAME_MAX) { // characters, as mb_strlen counts
        w.problems.add(400, 'length constraint', `This value is too long. It should have ${CONTACT_NAME_MAX} characters or less.`, `${w.pointer}/attributes/${name}`);
      }
    }
    if (typeof a.birthday === 'string' && a.birthday > w.now.slice(0, 10)) {
      w.problems.add(400, 'less than or equal constraint', 'This value cannot be in the future.', `${w.pointer}/attributes/birthday`);
    }
    if (!a.firstName && !a.lastName && a.emails.length === 0 && a.phones.length === 0) {
      w.problems.add(400, 'has contact information constraint', 'At least one of the fields First name, Last name, Emails or Phones must be defined.', w.pointer);
    }
  },
  conflict(db, e, others, pointer): ErrorObject | null {
    if (!e.externalId) return null;
    const stored = db.prepare('SELECT id FROM crm_contacts WHERE external_id = ? AND id <> ?').get(e.externalId, e.id) as { id: number } | undefined;
    const inBatch = others.some((o) => o.externalId === e.externalId);
    if (!stored && !inBatch) return null;
    return problem(409, 'conflict constraint', 'The entity already exists.', { pointer: `${pointer}/attributes/externalId` });
  },
  save(db, e, isNew) {
    const attrs = JSON.stringify(e.attrs);
    let id = e.id;
    if (isNew) {
      id = Number(db.prepare('INSERT INTO crm_contacts (owner_id, organization_id, external_id, created_at, updated_at, attrs) VALUES (?, ?, ?, ?, ?, ?)').run(e.ownerId, e.organizationId, e.externalId, e.createdAt, e.updatedAt, attrs).lastInsertRowid);
    } else {
      db.prepare('UPDATE crm_contacts SET owner_id = ?, organization_id = ?, external_id = ?, updated_at = ?, attrs = ? WHERE id = ?').run(e.ownerId, e.organizationId, e.externalId, e.updatedAt, attrs, id);
    }
    const keep = e.addresses.filter((a) => a.id > 0).map((a) => a.id);
    db.prepare(`DELETE FROM crm_contact_addresses WHERE contact_id = ? AND id NOT IN (${keep.map(() => '?').join(',') || 'NULL'})`).run(id, ...keep);
    for (const a of e.addresses) {
      if (a.id > 0) {
        db.prepare('UPDATE crm_contact_addresses SET updated_at = ?, attrs = ?, types = ?, country = ?, region = ? WHERE id = ?').run(a.updatedAt, JSON.stringify(a.attrs), JSON.stringify(a.types), a.country, a.region, a.id);
      } else {
        a.id = Number(
          db.prepare('INSERT INTO crm_contact_addresses (contact_id, created_at, updated_at, attrs, types, country, region) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, a.createdAt, a.updatedAt, JSON.stringify(a.attrs), JSON.stringify(a.types), a.country, a.region).lastInsertRowid,
        );
      }
    }
    return id;
  },
  remove(db, e) {
    db.prepare('DELETE FROM crm_contact_addresses WHERE contact_id = ?').run(e.id);
    db.prepare('DELETE FROM crm_contacts WHERE id = ?').run(e.id);
  },

  serialize(e, o) {
    const a = e.attrs;
    const attributes: Record<string, unknown> = {};
    for (const k of SCALAR_ATTRIBUTES) attributes[k] = a[k] ?? null;
    Object.assign(attributes, {
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      primaryEmail: a.primaryEmail,
      primaryPhone: a.primaryPhone,
      emails: a.emails.map((email) => ({ email })),
      phones: a.phones.map((phone) => ({ phone })),
      externalId: e.externalId,
    });
    const relationships = {
      owner: { data: { type: 'users', id: String(e.ownerId) } },
      organization: { data: { type: 'organizations', id: String(e.organizationId) } },
      addresses: { data: e.addresses.map((x) => ({ type: 'contactaddresses', id: String(x.id) })) },
      accounts: { data: [] },
    };
    return withLinks({ type: 'contacts', id: String(e.id), attributes, relationships }, o);
  },
  related(_db, e, path, o) {
    return path === 'addresses' ? e.addresses.map((a) => serializeAddress(a, e.id, o)) : [];
  },
  writtenIncluded(e, o) {
    return e.addresses.filter((a) => a.requestId !== undefined).map((a) => ({ ...serializeAddress(a, e.id, o), meta: { includeId: a.requestId } }));
  },
  auditView(e) {
    return { ...e.attrs, externalId: e.externalId, owner: e.ownerId };
  },
  objectName(e) {
    return [e.attrs.namePrefix, e.attrs.firstName, e.attrs.middleName, e.attrs.lastName, e.attrs.nameSuffix].filter(Boolean).join(' ') || `Contact ${e.id}`;
  },
};

function mergePrimary(attrs: ContactEntity['attrs'], listKey: 'emails' | 'phones', primaryKey: 'primaryEmail' | 'primaryPhone', touched: Set<string>): void {
  const list = attrs[listKey];
  if (touched.has(primaryKey)) {
    const v = attrs[primaryKey];
    if (v !== null && !list.includes(v)) list.push(v);
    if (v === null && !touched.has(listKey)) {
      // Clearing the primary value removes it from the collection (the next one becomes primary).
      const old = list[0];
      if (old !== undefined) list.splice(0, 1);
    }
  }
  const primary = attrs[primaryKey];
  if (primary === null || !list.includes(primary)) attrs[primaryKey] = list[0] ?? null;
  else if (list[0] !== primary) {
    // Stored primary-first so that "the primary" is stable.
    list.splice(list.indexOf(primary), 1);
    list.unshift(primary);
  }
}

export function applyOwnership(e: BaseEntity, item: ResourceObject, w: WriteContext): void {
  const owner = readToOne(item.relationships, 'owner', 'users', w.pointer, w.problems);
  if (owner) {
    const user = /^\d+$/.test(owner.id) ? userById(w.db, Number(owner.id)) : null;
    if (!user) w.problems.invalid(`${w.pointer}/relationships/owner/data`);
    else e.ownerId = user.id;
  } else if (owner === null) w.problems.notBlank(`${w.pointer}/relationships/owner/data`);
  const org = readToOne(item.relationships, 'organization', 'organizations', w.pointer, w.problems);
  if (org) {
    if (Number(org.id) !== w.user.organizationId) {
      w.problems.add(400, 'access granted constraint', 'You have no access to set this value as organization.', `${w.pointer}/relationships/organization/data`);
    } else e.organizationId = Number(org.id);
  } else if (org === null) w.problems.notBlank(`${w.pointer}/relationships/organization/data`);
}

function applyAddresses(e: ContactEntity, item: ResourceObject, w: WriteContext): void {
  const refs = readToMany(item.relationships, 'addresses', w.pointer, w.problems);
  if (refs) {
    const next: AddressEntity[] = [];
    refs.forEach((ref, i) => {
      const at = `${w.pointer}/relationships/addresses/data/${i}`;
      if (ref.type !== 'contactaddresses') return w.problems.add(400, 'request data constraint', 'The "type" property should be "contactaddresses".', `${at}/type`);
      const inc = w.included.take('contactaddresses', ref.id);
      const stored = e.addresses.find((a) => String(a.id) === ref.id);
      if (inc) next.push(readAddress(stored ?? null, inc.item, inc.pointer, w, ref.id));
      else if (stored) next.push(stored);
      else w.problems.add(404, 'not found http exception', 'An entity with the requested identifier does not exist.', at);
    });
    e.addresses = next;
  }
  const ownerKey = w.requestId ?? (e.id ? String(e.id) : null);
  if (ownerKey !== null) {
    for (const inc of w.included.ownedBy('contactaddresses', 'contacts', ownerKey)) {
      const stored = e.addresses.find((a) => String(a.id) === inc.id) ?? null;
      const address = readAddress(stored, inc.item, inc.pointer, w, inc.id);
      e.addresses = stored ? e.addresses.map((a) => (a === stored ? address : a)) : [...e.addresses, address];
    }
  }
  // Exactly one primary address (Oro's PrimaryItem rule): the first one unless one is marked.
  if (e.addresses.length && !e.addresses.some((a) => a.attrs.primary === true)) e.addresses[0].attrs.primary = true;
  let seenPrimary = false;
  for (const a of e.addresses) {
    if (a.attrs.primary === true) {
      if (seenPrimary) a.attrs.primary = false;
      seenPrimary = true;
    } else a.attrs.primary = false;
  }
}

function readAddress(stored: AddressEntity | null, item: ResourceObject, p: string, w: WriteContext, requestId: string): AddressEntity {
  const a: AddressEntity = stored
    ? { ...stored, attrs: { ...stored.attrs }, types: [...stored.types] }
    : { id: 0, createdAt: w.now, updatedAt: w.now, attrs: Object.fromEntries(Object.keys(ADDRESS_ATTRIBUTES).map((k) => [k, k === 'primary' ? false : null])), types: [], country: null, region: null };
  a.updatedAt = w.now;
  a.requestId = requestId;
  applyAttributes(a.attrs, item.attributes, ADDRESS_ATTRIBUTES, ['createdAt', 'updatedAt'], p, w.problems);
  const types = readToMany(item.relationships, 'types', p, w.problems);
  if (types) {
    a.types = [];
    types.forEach((t, i) => {
      if (t.type !== 'addresstypes' || !(ADDRESS_TYPES as readonly string[]).includes(t.id)) w.problems.invalid(`${p}/relationships/types/data/${i}`);
      else if (!a.types.includes(t.id)) a.types.push(t.id);
    });
  }
  const country = readToOne(item.relationships, 'country', 'countries', p, w.problems);
  if (country !== undefined) a.country = country ? country.id : null;
  if (a.country !== null && !/^[A-Z]{2}$/.test(a.country)) {
    w.problems.invalid(`${p}/relationships/country/data`);
  }
  if (a.country === null) w.problems.notBlank(`${p}/relationships/country/data`);
  const region = readToOne(item.relationships, 'region', 'regions', p, w.problems);
  if (region !== undefined) a.region = region ? region.id : null;
  checkRegion(a, p, w);
  return a;
}

/**
 * Oro's country and region rules for an address (platform AddressBundle `AddressCountryAndRegionTestTrait`,
 * used by crm `ContactAddressTest` with IS_REGION_REQUIRED = false; `ValidRegion`, `RegionText` and their
 * messages in `validators.en.yml`): a region must exist ("form constraint", as any unknown related entity)
 * and belong to the country; a custom region only for a country without predefined regions. A contact
 * address needs no region.
 */
function checkRegion(a: AddressEntity, p: string, w: WriteContext): void {
  const pointer = `${p}/relationships/region/data`;
  const region = a.region === null ? null : regionById(a.region);
  if (a.region !== null && region === null) {
    w.problems.invalid(pointer, 'The entity does not exist.');
  } else if (region !== null && a.country !== null && region.country !== a.country) {
    w.problems.add(400, 'valid region constraint', `Region ${region.name} does not belong to country ${countryName(a.country)}`, pointer);
  }
  const customRegion = a.attrs.customRegion;
  if (typeof customRegion === 'string' && customRegion !== '' && a.country !== null && countryHasRegions(a.country)) {
    w.problems.add(400, 'region text constraint', 'Custom region can be used only for countries without predefined regions.', p);
  }
}

function serializeAddress(a: AddressEntity, contactId: number, o: SerializeOptions): ResourceObject {
  const attributes: Record<string, unknown> = { ...a.attrs, createdAt: a.createdAt, updatedAt: a.updatedAt };
  const relationships = {
    owner: { data: { type: 'contacts', id: String(contactId) } },
    types: { data: a.types.map((t) => ({ type: 'addresstypes', id: t })) },
    country: { data: a.country ? { type: 'countries', id: a.country } : null },
    region: { data: a.region ? { type: 'regions', id: a.region } : null },
  };
  return withLinks({ type: 'contactaddresses', id: String(a.id), attributes, relationships }, o);
}

/** HATEOAS links (oro-api.md §4): on by default, off with `X-Include: noHateoas`. */
export function withLinks(r: ResourceObject, o: SerializeOptions): ResourceObject {
  if (!o.hateoas) return r;
  const self = `${o.base}/api/${r.type}/${r.id}`;
  const relationships = Object.fromEntries(
    Object.entries(r.relationships ?? {}).map(([name, rel]) => [name, { ...rel, links: { self: `${self}/relationships/${name}`, related: `${self}/${name}` } }]),
  );
  return { ...r, relationships, links: { self } };
}

/** Inserts a contact directly (seed). */
export function insertSeedContact(db: Database.Database, e: ContactEntity): number {
  return contactsResource.save(db, e, true);
}
