// Contact folders and contacts (graph-api.md §1, §4, §6).
import { z } from 'zod';
import type { Router } from '../common/http';
import { extendedProperties, nullableString, parseJsonObject, readWritable, stringList } from './body';
import { mailboxRoute, type GraphContext, type GraphRequest } from './context';
import { deltaResponse, type DeltaTokens } from './delta';
import { badRequest, GraphError, itemNotFound } from './errors';
import { expandOption, listResponse, loadItem, mergeProperties, present, selectOption } from './items';
import type { ExtendedProperty, GraphStore, StoredItem } from './store';
import { graphTimestamp, newChangeKey, newItemId } from './util';

const address = z.object({
  street: nullableString.optional(),
  city: nullableString.optional(),
  state: nullableString.optional(),
  postalCode: nullableString.optional(),
  countryOrRegion: nullableString.optional(),
});

const CONTACT_FIELDS = {
  givenName: nullableString,
  middleName: nullableString,
  surname: nullableString,
  title: nullableString,
  generation: nullableString,
  initials: nullableString,
  nickName: nullableString,
  displayName: nullableString,
  fileAs: nullableString,
  emailAddresses: z.array(z.object({ name: nullableString.optional(), address: nullableString.optional() })),
  businessPhones: stringList,
  homePhones: stringList,
  mobilePhone: nullableString,
  imAddresses: stringList,
  businessAddress: address,
  homeAddress: address,
  otherAddress: address,
  jobTitle: nullableString,
  companyName: nullableString,
  department: nullableString,
  officeLocation: nullableString,
  profession: nullableString,
  manager: nullableString,
  assistantName: nullableString,
  businessHomePage: nullableString,
  birthday: nullableString,
  personalNotes: nullableString,
  spouseName: nullableString,
  children: stringList,
  categories: stringList,
  yomiGivenName: nullableString,
  yomiSurname: nullableString,
  yomiCompanyName: nullableString,
  singleValueExtendedProperties: extendedProperties,
};

const BLANK_CONTACT: Record<string, unknown> = {
  givenName: null, middleName: null, surname: null, title: null, generation: null, initials: null, nickName: null,
  displayName: null, fileAs: '', emailAddresses: [], businessPhones: [], homePhones: [], mobilePhone: null, imAddresses: [],
  businessAddress: {}, homeAddress: {}, otherAddress: {}, jobTitle: null, companyName: null, department: null, officeLocation: null,
  profession: null, manager: null, assistantName: null, businessHomePage: null, birthday: null, personalNotes: '', spouseName: null,
  children: [], categories: [], yomiGivenName: null, yomiSurname: null, yomiCompanyName: null,
};

const NAME_FIELDS = ['givenName', 'middleName', 'surname', 'title', 'generation'];

/** Date-only or full ISO in; full ISO with Z out (graph-api.md §1: accept both). */
function normalizeBirthday(value: string | null): string | null {
  if (value === null || value === '') return null;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(d.getTime())) throw badRequest(`Cannot convert the literal '${value}' to the expected type 'Edm.DateTimeOffset'.`, 'RequestBodyRead');
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

function displayNameOf(data: Record<string, unknown>): string {
  return ['givenName', 'middleName', 'surname'].map((k) => data[k]).filter((v) => typeof v === 'string' && v !== '').join(' ');
}

/** Applies a create/PATCH body; omitted properties keep their values. Returns the new data and properties. */
export function applyContact(existing: Record<string, unknown>, props: ExtendedProperty[], raw: Record<string, unknown>) {
  const input = readWritable(raw, CONTACT_FIELDS, 'contact', ['parentFolderId']);
  const { singleValueExtendedProperties, ...fields } = input;
  const data: Record<string, unknown> = { ...existing, ...fields };
  for (const k of ['businessAddress', 'homeAddress', 'otherAddress']) if (data[k] === null) data[k] = {};
  if ('birthday' in fields) data.birthday = normalizeBirthday(fields.birthday ?? null);
  // The server regenerates displayName when name fields change and none is sent (graph-api.md §1).
  const namesChanged = NAME_FIELDS.some((k) => k in fields);
  if (!('displayName' in fields) && (namesChanged || !existing.displayName)) data.displayName = displayNameOf(data);
  if (Array.isArray(data.emailAddresses)) {
    data.emailAddresses = (data.emailAddresses as { name?: string | null; address?: string | null }[]).map((e) => ({
      name: e.name ?? e.address ?? null,
      address: e.address ?? null,
    }));
  }
  return { data, props: mergeProperties(props, singleValueExtendedProperties) };
}

export function createContactFolder(store: GraphStore, mailbox: string, displayName: string, parentFolderId: string | null): StoredItem {
  return store.insert({ id: newItemId(), mailbox, kind: 'contactFolder', parent: parentFolderId, data: { displayName, parentFolderId }, props: [] });
}

export function insertContact(store: GraphStore, now: Date, mailbox: string, folderId: string, raw: Record<string, unknown>): StoredItem {
  const stamp = graphTimestamp(now);
  const { data, props } = applyContact({ ...BLANK_CONTACT }, [], raw);
  return store.insert({
    id: newItemId(),
    mailbox,
    kind: 'contact',
    parent: folderId,
    data: { createdDateTime: stamp, lastModifiedDateTime: stamp, changeKey: newChangeKey(), parentFolderId: folderId, ...data },
    props,
  });
}

/**
 * The mailbox's Deleted Items, a mail folder (not a contact folder: `/contactFolders/{id}` does not find
 * it), where Outlook puts a contact the user deletes. Only a move (moves.ts) puts contacts there.
 */
export function deletedItemsFolderId(mailbox: string): string {
  return `deleteditems-${mailbox}`;
}

export function defaultContactFolder(store: GraphStore, mailbox: string): StoredItem {
  const root = store.list(mailbox, 'contactFolder', null)[0];
  if (!root) throw itemNotFound();
  return root;
}

export function registerContactRoutes(router: Router, ctx: GraphContext, tokens: DeltaTokens): void {
  const { store } = ctx;
  const route = (method: string, suffix: string, h: (req: GraphRequest) => ReturnType<typeof listResponse>) => mailboxRoute(router, ctx, method, suffix, h);

  // The default Contacts folder is addressable by its id or the well-known name "contacts" but is not
  // listed by /contactFolders; top-level folders are its children, as in Outlook.
  const folder = (req: GraphRequest, id: string): StoredItem => {
    if (id.toLowerCase() === 'contacts') return defaultContactFolder(store, req.mailbox.id);
    return loadItem(ctx, req, 'contactFolder', id);
  };
  const presentFolder = (f: StoredItem) => ({ id: f.id, displayName: f.data.displayName, parentFolderId: f.data.parentFolderId ?? null });

  const createFolder = (req: GraphRequest, parent: StoredItem) => {
    const body = readWritable(parseJsonObject(req.rawBody), { displayName: z.string().min(1) }, 'contactFolder', ['parentFolderId']);
    if (!body.displayName) throw badRequest('The displayName property is required.', 'ErrorInvalidRequest');
    const siblings = store.list(req.mailbox.id, 'contactFolder', parent.id);
    if (siblings.some((s) => String(s.data.displayName).toLowerCase() === body.displayName!.toLowerCase())) {
      throw new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    }
    const created = createContactFolder(store, req.mailbox.id, body.displayName, parent.id);
    return { status: 201, headers: { Location: `${ctx.baseUrl()}${req.rootPath}/contactFolders/${encodeURIComponent(created.id)}` }, body: presentFolder(created) };
  };

  route('GET', '/contactFolders', (req) => {
    const root = defaultContactFolder(store, req.mailbox.id);
    const folders = store.list(req.mailbox.id, 'contactFolder', root.id);
    const res = listResponse(ctx, req, folders, { filterable: true, defaultTop: 10, context: 'contactFolders' });
    const body = res.body as { value: Record<string, unknown>[] };
    body.value = body.value.map((v) => ({ id: v.id, displayName: v.displayName, parentFolderId: v.parentFolderId }));
    return res;
  });
  route('POST', '/contactFolders', (req) => createFolder(req, defaultContactFolder(store, req.mailbox.id)));
  route('GET', '/contactFolders/:folderId', (req) => ({ status: 200, body: presentFolder(folder(req, req.params.folderId)) }));
  route('GET', '/contactFolders/:folderId/childFolders', (req) => {
    const parent = folder(req, req.params.folderId);
    return listResponse(ctx, req, store.list(req.mailbox.id, 'contactFolder', parent.id), { filterable: true, defaultTop: 10, context: 'contactFolders' });
  });
  route('POST', '/contactFolders/:folderId/childFolders', (req) => createFolder(req, folder(req, req.params.folderId)));

  // Contacts, in the default folder (/contacts) or in a folder (/contactFolders/{id}/contacts).
  const inFolder = (req: GraphRequest): StoredItem =>
    req.params.folderId ? folder(req, req.params.folderId) : defaultContactFolder(store, req.mailbox.id);
  const expandable = ['singleValueExtendedProperties'];

  for (const base of ['/contacts', '/contactFolders/:folderId/contacts']) {
    route('GET', base, (req) => {
      const f = inFolder(req);
      const expand = expandOption(req, expandable);
      return listResponse(ctx, req, store.list(req.mailbox.id, 'contact', f.id), { expand, filterable: true, defaultTop: 10, context: 'contacts' });
    });
    route('POST', base, (req) => {
      const f = inFolder(req);
      const created = insertContact(store, ctx.now(), req.mailbox.id, f.id, parseJsonObject(req.rawBody));
      return {
        status: 201,
        headers: { Location: `${ctx.baseUrl()}${req.rootPath}/contacts/${encodeURIComponent(created.id)}` },
        body: present(created),
      };
    });
    route('GET', `${base}/delta`, (req) => {
      const f = inFolder(req);
      return deltaResponse(ctx, tokens, req, {
        kind: 'contact',
        parent: f.id,
        allowedExpand: [],
        expandError: "The query parameter '$expand' is not supported with change tracking over the 'contacts' resource.",
        odataType: '#microsoft.graph.contact',
        context: 'Collection(contact)',
      });
    });
    const item = (req: GraphRequest) => loadItem(ctx, req, 'contact', req.params.id, req.params.folderId ? inFolder(req).id : undefined);
    route('GET', `${base}/:id`, (req) => ({ status: 200, body: present(item(req), { expand: expandOption(req, expandable), select: selectOption(req) }) }));
    route('PATCH', `${base}/:id`, (req) => {
      const existing = item(req);
      const { data, props } = applyContact(existing.data, existing.props, parseJsonObject(req.rawBody));
      data.changeKey = newChangeKey();
      data.lastModifiedDateTime = graphTimestamp(ctx.now());
      return { status: 200, body: present(store.update({ ...existing, data, props })) };
    });
    route('DELETE', `${base}/:id`, (req) => {
      store.remove(item(req));
      return { status: 204 };
    });
  }
}
