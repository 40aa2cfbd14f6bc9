// Microsoft To Do lists and tasks (graph-api.md §3). Tasks have @odata.etag but no changeKey, and no
// extended properties in v1.0: the CRM id travels in linkedResources (externalId).
import { z } from 'zod';
import type { Response, Router } from '../common/http';
import { dateTimeTimeZone, itemBody, nullableString, parseJsonObject, readWritable, stringList } from './body';
import { mailboxRoute, type GraphContext, type GraphRequest } from './context';
import { deltaResponse, type DeltaTokens } from './delta';
import { badRequest, itemNotFound } from './errors';
import { expandOption, listResponse, loadItem, present, selectOption } from './items';
import type { GraphStore, StoredItem } from './store';
import { inZone, preferredTimeZone, toUtc, utcDateTimeTimeZone } from './timezones';
import { graphTimestamp, newChangeKey, newGuid, newItemId } from './util';

const linkedResource = z.object({
  id: z.string().optional(),
  webUrl: nullableString.optional(),
  applicationName: nullableString.optional(),
  displayName: nullableString.optional(),
  externalId: nullableString.optional(),
});
type LinkedResource = z.infer<typeof linkedResource>;

const TASK_FIELDS = {
  title: nullableString,
  body: itemBody,
  importance: z.enum(['low', 'normal', 'high']),
  status: z.enum(['notStarted', 'inProgress', 'completed', 'waitingOnOthers', 'deferred']),
  dueDateTime: dateTimeTimeZone.nullable(),
  startDateTime: dateTimeTimeZone.nullable(),
  reminderDateTime: dateTimeTimeZone.nullable(),
  completedDateTime: dateTimeTimeZone.nullable(),
  isReminderOn: z.boolean(),
  categories: stringList,
  recurrence: z.null(),
  linkedResources: z.array(linkedResource),
};

/** To Do keeps due and start dates date-only: local midnight of that date in the given zone, as UTC (graph-api.md §3). */
function dateOnly(value: { dateTime: string; timeZone?: string | null } | null): { dateTime: string; timeZone: string } | null {
  if (!value) return null;
  return utcDateTimeTimeZone(toUtc(value.dateTime.slice(0, 10), value.timeZone || 'UTC'));
}

function exactTime(value: { dateTime: string; timeZone?: string | null } | null): { dateTime: string; timeZone: string } | null {
  return value ? utcDateTimeTimeZone(toUtc(value.dateTime, value.timeZone || 'UTC')) : null;
}

function withIds(list: LinkedResource[], existing: LinkedResource[]): LinkedResource[] {
  return list.map((l) => {
    const kept = l.id ? existing.find((e) => e.id === l.id) : undefined;
    return {
      id: kept?.id ?? newGuid(),
      webUrl: l.webUrl ?? kept?.webUrl ?? null,
      applicationName: l.applicationName ?? kept?.applicationName ?? null,
      displayName: l.displayName ?? kept?.displayName ?? null,
      externalId: l.externalId ?? kept?.externalId ?? null,
    };
  });
}

/**
 * To Do keeps notes as text: it answers every body as `contentType: "text"`, also for one sent as HTML
 * (docs-contrib issue #347, "Body response is always text and loses HTML formatting"), and takes only HTML
 * on update (api/todotask-update.md: "Note that only HTML type is supported"). Line breaks become CRLF.
 */
function notesText(html: string): string {
  return html
    .replace(/\s+/g, ' ')
    .replace(/<br\s*\/?>|<\/(?:p|div|li|h[1-6])\s*>/gi, '\r\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/ ?\r\n ?/g, '\r\n')
    .trim();
}

function applyTask(existing: Record<string, unknown>, raw: Record<string, unknown>, now: Date, creating = false) {
  if ('singleValueExtendedProperties' in raw || 'multiValueExtendedProperties' in raw) {
    throw badRequest(
      "The property 'singleValueExtendedProperties' does not exist on type 'microsoft.graph.todoTask'. Make sure to only use property names that are defined by the type or mark the type as open type.",
      'RequestBodyRead',
    );
  }
  const input = readWritable(raw, TASK_FIELDS, 'todoTask', ['bodyLastModifiedDateTime', 'hasAttachments']);
  const { linkedResources, dueDateTime, startDateTime, reminderDateTime, completedDateTime, body, ...fields } = input;
  const data: Record<string, unknown> = { ...existing, ...fields };
  if (dueDateTime !== undefined) data.dueDateTime = dateOnly(dueDateTime);
  if (startDateTime !== undefined) data.startDateTime = dateOnly(startDateTime);
  if (reminderDateTime !== undefined) data.reminderDateTime = exactTime(reminderDateTime);
  if (body) {
    const html = (body.contentType ?? 'text').toLowerCase() === 'html';
    if (!creating && !html) throw badRequest('Only HTML body content is supported when updating a task.', 'invalidRequest');
    data.body = { content: html ? notesText(body.content ?? '') : (body.content ?? ''), contentType: 'text' };
    data.bodyLastModifiedDateTime = graphTimestamp(now);
  }
  if (data.status === 'completed') {
    if (completedDateTime) data.completedDateTime = exactTime(completedDateTime);
    else if (!data.completedDateTime) data.completedDateTime = utcDateTimeTimeZone(now);
  } else delete data.completedDateTime;
  for (const k of ['dueDateTime', 'startDateTime', 'reminderDateTime']) if (data[k] === null) delete data[k];
  // PATCH replaces the collection; entries sent with an existing id keep it.
  if (linkedResources) data.linkedResources = withIds(linkedResources, (existing.linkedResources as LinkedResource[] | undefined) ?? []);
  return { data, echoLinks: linkedResources !== undefined };
}

export function createTodoList(store: GraphStore, mailbox: string, displayName: string, wellknownListName: 'defaultList' | 'none'): StoredItem {
  return store.insert({
    id: newItemId(),
    mailbox,
    kind: 'todoList',
    parent: null,
    data: { displayName, isOwner: true, isShared: false, wellknownListName, changeKey: newChangeKey() },
    props: [],
  });
}

export function insertTask(store: GraphStore, now: Date, mailbox: string, listId: string, raw: Record<string, unknown>) {
  const stamp = graphTimestamp(now);
  const blank: Record<string, unknown> = {
    importance: 'normal',
    isReminderOn: false,
    status: 'notStarted',
    title: '',
    createdDateTime: stamp,
    lastModifiedDateTime: stamp,
    hasAttachments: false,
    categories: [],
    body: { content: '', contentType: 'text' },
    bodyLastModifiedDateTime: stamp,
    changeKey: newChangeKey(),
  };
  const { data, echoLinks } = applyTask(blank, raw, now, true);
  // The seq insert() is about to assign: delta rounds after it send this task in part (partialTaskFields).
  data[CREATED_SEQ] = store.current('seq') + 1;
  return { item: store.insert({ id: newItemId(), mailbox, kind: 'task', parent: listId, data, props: [] }), echoLinks };
}

const TASK_TIMES = ['dueDateTime', 'startDateTime', 'reminderDateTime', 'completedDateTime'] as const;

// Hidden bookkeeping in a task's stored data (present() drops keys starting with '@').
const CREATED_SEQ = '@createdSeq';
const CHANGED = '@changed';
const BOOKKEEPING = new Set(['changeKey', 'lastModifiedDateTime', 'bodyLastModifiedDateTime', CREATED_SEQ, CHANGED]);

/** The fields a write changed, for the partial items of later delta rounds. */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !BOOKKEEPING.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/**
 * A todoTask in a delta round after the first is not a full item: Graph may send only what changed
 * (issue 10 §4). The emulator sends a task that existed before the round began with its id, etag and the
 * fields its last write changed (linkedResources only when expanded); null: send it whole.
 */
export function partialTaskFields(item: StoredItem, roundFrom: number): string[] | null {
  const created = item.data[CREATED_SEQ];
  if (typeof created !== 'number' || created > roundFrom) return null;
  const changed = item.data[CHANGED];
  return Array.isArray(changed) ? (changed as string[]) : [];
}

/**
 * Task answers in the zone of `Prefer: outlook.timezone`, UTC without it (Microsoft Q&A 1188381: "attach
 * the request header of your target time zone ... otherwise it will return your task information in
 * the default UTC time").
 */
function tasksInPreferredZone(req: GraphRequest, response: Response): Response {
  const zone = preferredTimeZone(req.headers.prefer);
  if (!zone || typeof response.body !== 'object' || response.body === null) return response;
  const convert = (t: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...t };
    for (const k of TASK_TIMES) {
      const v = t[k] as { dateTime: string; timeZone: string } | undefined;
      if (v && typeof v.dateTime === 'string') out[k] = inZone(v, zone, false);
    }
    return out;
  };
  const body = response.body as Record<string, unknown>;
  return { ...response, body: Array.isArray(body.value) ? { ...body, value: (body.value as Record<string, unknown>[]).map(convert) } : convert(body) };
}

export function registerTaskRoutes(router: Router, ctx: GraphContext, tokens: DeltaTokens): void {
  const { store } = ctx;
  const route = (method: string, suffix: string, h: (req: GraphRequest) => Response) => mailboxRoute(router, ctx, method, suffix, (req) => tasksInPreferredZone(req, h(req)));
  const presentList = (l: StoredItem) => {
    const { changeKey, ...rest } = l.data;
    return { '@odata.etag': `W/"${String(changeKey)}"`, id: l.id, ...rest };
  };
  const list = (req: GraphRequest): StoredItem => loadItem(ctx, req, 'todoList', req.params.listId);
  const expandable = ['linkedResources'];

  route('GET', '/todo/lists', (req) => {
    const res = listResponse(ctx, req, store.list(req.mailbox.id, 'todoList', null), { filterable: true, defaultTop: 100, context: 'lists' });
    const body = res.body as { value: Record<string, unknown>[] };
    body.value = body.value.map((v) => {
      const { changeKey: _ck, ...rest } = v;
      return rest;
    });
    return res;
  });
  route('POST', '/todo/lists', (req) => {
    const body = readWritable(parseJsonObject(req.rawBody), { displayName: z.string().min(1) }, 'todoTaskList', ['isOwner', 'isShared', 'wellknownListName']);
    if (!body.displayName) throw badRequest('The displayName property is required.', 'invalidRequest');
    const created = createTodoList(store, req.mailbox.id, body.displayName, 'none');
    return { status: 201, body: presentList(created) };
  });
  route('GET', '/todo/lists/:listId', (req) => ({ status: 200, body: presentList(list(req)) }));

  const base = '/todo/lists/:listId/tasks';
  route('GET', base, (req) =>
    listResponse(ctx, req, store.list(req.mailbox.id, 'task', list(req).id), { expand: expandOption(req, expandable), filterable: true, defaultTop: 100, context: 'tasks' }),
  );
  route('POST', base, (req) => {
    const { item, echoLinks } = insertTask(store, ctx.now(), req.mailbox.id, list(req).id, parseJsonObject(req.rawBody));
    return { status: 201, body: present(item, { withLinkedResources: echoLinks }) };
  });
  route('GET', `${base}/delta`, (req) =>
    deltaResponse(ctx, tokens, req, {
      kind: 'task',
      parent: list(req).id,
      allowedExpand: expandable,
      expandError: "Only linkedResources can be expanded on tasks delta.",
      odataType: '#microsoft.graph.todoTask',
      context: 'Collection(todoTask)',
      partialFields: partialTaskFields,
    }),
  );
  const task = (req: GraphRequest) => loadItem(ctx, req, 'task', req.params.taskId, list(req).id);
  route('GET', `${base}/:taskId`, (req) => ({ status: 200, body: present(task(req), { expand: expandOption(req, expandable), select: selectOption(req) }) }));
  route('PATCH', `${base}/:taskId`, (req) => {
    const existing = task(req);
    const { data, echoLinks } = applyTask(existing.data, parseJsonObject(req.rawBody), ctx.now());
    data[CHANGED] = changedFields(existing.data, data);
    data.changeKey = newChangeKey();
    data.lastModifiedDateTime = graphTimestamp(ctx.now());
    return { status: 200, body: present(store.update({ ...existing, data }), { withLinkedResources: echoLinks }) };
  });
  route('DELETE', `${base}/:taskId`, (req) => {
    store.remove(task(req));
    return { status: 204 };
  });

  route('GET', `${base}/:taskId/linkedResources`, (req) => ({
    status: 200,
    body: { '@odata.context': `${ctx.baseUrl()}/v1.0/$metadata#linkedResources`, value: (task(req).data.linkedResources as LinkedResource[] | undefined) ?? [] },
  }));
  route('POST', `${base}/:taskId/linkedResources`, (req) => {
    const existing = task(req);
    const parsed = linkedResource.safeParse(parseJsonObject(req.rawBody));
    if (!parsed.success) throw badRequest(`Invalid linkedResource: ${parsed.error.issues[0].message}`, 'RequestBodyRead');
    const current = (existing.data.linkedResources as LinkedResource[] | undefined) ?? [];
    const [added] = withIds([{ ...parsed.data, id: undefined }], []);
    const data = { ...existing.data, linkedResources: [...current, added], [CHANGED]: ['linkedResources'], changeKey: newChangeKey(), lastModifiedDateTime: graphTimestamp(ctx.now()) };
    store.update({ ...existing, data });
    return { status: 201, body: added };
  });
  const link = (existing: StoredItem, linkId: string): LinkedResource => {
    const found = ((existing.data.linkedResources as LinkedResource[] | undefined) ?? []).find((l) => l.id === linkId);
    if (!found) throw itemNotFound();
    return found;
  };
  route('GET', `${base}/:taskId/linkedResources/:linkId`, (req) => ({ status: 200, body: link(task(req), req.params.linkId) }));
  // linkedresource-update (v1.0): 200 with the updated linkedResource; omitted properties keep their values.
  route('PATCH', `${base}/:taskId/linkedResources/:linkId`, (req) => {
    const existing = task(req);
    const current = link(existing, req.params.linkId);
    const raw = parseJsonObject(req.rawBody);
    const writable = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'id' && !k.startsWith('@odata.')));
    const parsed = linkedResource.omit({ id: true }).strict().safeParse(writable);
    if (!parsed.success) throw badRequest(`Invalid linkedResource: ${parsed.error.issues[0].message}`, 'RequestBodyRead');
    const updated: LinkedResource = { ...current, ...parsed.data, id: current.id };
    const links = ((existing.data.linkedResources as LinkedResource[] | undefined) ?? []).map((l) => (l.id === current.id ? updated : l));
    const data = { ...existing.data, linkedResources: links, [CHANGED]: ['linkedResources'], changeKey: newChangeKey(), lastModifiedDateTime: graphTimestamp(ctx.now()) };
    store.update({ ...existing, data });
    return { status: 200, body: updated };
  });
  route('DELETE', `${base}/:taskId/linkedResources/:linkId`, (req) => {
    const existing = task(req);
    const current = (existing.data.linkedResources as LinkedResource[] | undefined) ?? [];
    if (!current.some((l) => l.id === req.params.linkId)) throw itemNotFound();
    const data = { ...existing.data, linkedResources: current.filter((l) => l.id !== req.params.linkId), [CHANGED]: ['linkedResources'], changeKey: newChangeKey(), lastModifiedDateTime: graphTimestamp(ctx.now()) };
    store.update({ ...existing, data });
    return { status: 204 };
  });
}
