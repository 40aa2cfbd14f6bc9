// The `tasks` resource and its dictionaries `taskpriorities` / `taskstatuses` (oro-api.md §2).
import type { CrmUser } from '../context';
import { applyAttributes, readToOne, type AttrSpec, type ResourceObject } from './attributes';
import { AUDIT_CLASSES } from './audit';
import { applyOwnership, withLinks } from './contacts';
import { quirks } from './quirks';
import type { BaseEntity, ResourceType } from './resources';
import { userById } from './schema';

export const TASK_PRIORITIES = [
  { id: 'low', label: 'Low', order: 1 },
  { id: 'normal', label: 'Normal', order: 2 },
  { id: 'high', label: 'High', order: 3 },
] as const;
export const TASK_STATUSES = [
  { id: 'open', name: 'Open' },
  { id: 'in_progress', name: 'In Progress' },
  { id: 'closed', name: 'Closed' },
] as const;

const TASK_ATTRIBUTES: AttrSpec = {
  subject: { kind: 'string', max: 255 },
  description: { kind: 'text' },
  dueDate: { kind: 'datetime' },
};
const IGNORED_RELATIONSHIPS = ['activityTargets', 'createdBy'];

export interface TaskEntity extends BaseEntity {
  attrs: { subject: string | null; description: string | null; dueDate: string | null };
  priority: string | null;
  status: string;
  /** Resolved while listing, for filter[ownerUsername]. */
  ownerUsername?: string | null;
}

interface TaskRow {
  id: number;
  owner_id: number;
  organization_id: number;
  created_at: string;
  updated_at: string;
  attrs: string;
  priority: string;
  status: string;
}

const toEntity = (r: TaskRow): TaskEntity => ({
  id: r.id,
  ownerId: r.owner_id,
  organizationId: r.organization_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  attrs: JSON.parse(r.attrs) as TaskEntity['attrs'],
  priority: r.priority,
  status: r.status,
});
const epoch = (iso: string | null) => (iso === null ? null : Date.parse(iso) / 1000);

export const tasksResource: ResourceType<TaskEntity> = {
  type: 'tasks',
  auditClass: AUDIT_CLASSES.tasks,
  filters: {
    id: { kind: 'integer', get: (e) => e.id },
    owner: { kind: 'integer', get: (e) => e.ownerId },
    organization: { kind: 'integer', get: (e) => e.organizationId },
    createdAt: { kind: 'datetime', get: (e) => epoch(e.createdAt) },
    updatedAt: { kind: 'datetime', get: (e) => epoch(e.updatedAt) },
    dueDate: { kind: 'datetime', get: (e) => epoch(e.attrs.dueDate) },
    ownerUsername: { kind: 'string', get: (e) => e.ownerUsername ?? null },
  },
  sorters: {
    id: (e) => e.id,
    createdAt: (e) => e.createdAt,
    updatedAt: (e) => e.updatedAt,
    dueDate: (e) => e.attrs.dueDate,
  },
  includes: ['taskPriority', 'status'],
  all(db) {
    const rows = (db.prepare('SELECT * FROM crm_tasks ORDER BY id').all() as TaskRow[]).map(toEntity);
    // ownerUsername needs the users table; resolve it once per listing.
    const names = new Map<number, string | null>();
    for (const t of rows) if (!names.has(t.ownerId)) names.set(t.ownerId, userById(db, t.ownerId)?.username ?? null);
    return rows.map((t) => Object.assign(t, { ownerUsername: names.get(t.ownerId) ?? null }));
  },
  load(db, id) {
    const row = db.prepare('SELECT * FROM crm_tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return row ? toEntity(row) : null;
  },
  blank(user: CrmUser, now: string) {
    return { id: 0, ownerId: user.id, organizationId: user.organizationId, createdAt: now, updatedAt: now, attrs: { subject: null, description: null, dueDate: null }, priority: null, status: 'open' };
  },
  clone(e) {
    return JSON.parse(JSON.stringify(e)) as TaskEntity;
  },
  apply(e, item, w) {
    applyAttributes(e.attrs, item.attributes, TASK_ATTRIBUTES, ['createdAt', 'updatedAt'], w.pointer, w.problems);
    const priority = readToOne(item.relationships, 'taskPriority', 'taskpriorities', w.pointer, w.problems);
    if (priority === null) e.priority = null;
    else if (priority) {
      if (!TASK_PRIORITIES.some((p) => p.id === priority.id)) w.problems.invalid(`${w.pointer}/relationships/taskPriority/data`);
      else e.priority = priority.id;
    }
    const status = readToOne(item.relationships, 'status', 'taskstatuses', w.pointer, w.problems);
    if (status === null) w.problems.notBlank(`${w.pointer}/relationships/status/data`);
    else if (status) {
      if (!TASK_STATUSES.some((s) => s.id === status.id)) w.problems.invalid(`${w.pointer}/relationships/status/data`);
      else if (quirks(w.db).taskFlow && workflowRefuses(w.isNew, e.status, status.id)) {
        // WorkflowEntityValidator with task_flow's entity_restrictions (OroCRMTaskBundle
        // workflows/task_flow/entity_restrictions.yml; messages: platform WorkflowBundle validators.en.yml).
        const detail = w.isNew ? 'Could not create entity with this value because of workflow restrictions.' : 'Field could not be edited because of workflow restrictions.';
        w.problems.add(400, 'workflow entity constraint', detail, `${w.pointer}/relationships/status/data`);
      } else e.status = status.id;
    }
    applyOwnership(e, item, w);
    for (const name of Object.keys(item.relationships ?? {})) {
      if (!['owner', 'organization', 'taskPriority', 'status', ...IGNORED_RELATIONSHIPS].includes(name)) {
        w.problems.add(400, 'extra fields constraint', `This form should not contain extra fields: "${name}".`, `${w.pointer}/relationships`);
      }
    }
  },
  validate(e, w) {
    if (!e.attrs.subject || e.attrs.subject.trim() === '') w.problems.notBlank(`${w.pointer}/attributes/subject`);
    if (!e.priority) w.problems.notBlank(`${w.pointer}/relationships/taskPriority/data`);
  },
  save(db, e, isNew) {
    if (isNew) {
      return Number(
        db.prepare('INSERT INTO crm_tasks (owner_id, organization_id, created_at, updated_at, attrs, priority, status) VALUES (?, ?, ?, ?, ?, ?, ?)').run(e.ownerId, e.organizationId, e.createdAt, e.updatedAt, JSON.stringify(e.attrs), e.priority, e.status).lastInsertRowid,
      );
    }
    db.prepare('UPDATE crm_tasks SET owner_id = ?, organization_id = ?, updated_at = ?, attrs = ?, priority = ?, status = ? WHERE id = ?').run(e.ownerId, e.organizationId, e.updatedAt, JSON.stringify(e.attrs), e.priority, e.status, e.id);
    return e.id;
  },
  remove(db, e) {
    db.prepare('DELETE FROM crm_tasks WHERE id = ?').run(e.id);
  },
  serialize(e, o) {
    return withLinks(
      {
        type: 'tasks',
        id: String(e.id),
        attributes: { subject: e.attrs.subject, description: e.attrs.description, dueDate: e.attrs.dueDate, createdAt: e.createdAt, updatedAt: e.updatedAt },
        relationships: {
          taskPriority: { data: e.priority ? { type: 'taskpriorities', id: e.priority } : null },
          status: { data: { type: 'taskstatuses', id: e.status } },
          owner: { data: { type: 'users', id: String(e.ownerId) } },
          organization: { data: { type: 'organizations', id: String(e.organizationId) } },
          activityTargets: { data: [] },
        },
      },
      o,
    );
  },
  related(_db, e, path, o) {
    if (path === 'taskPriority' && e.priority) return [serializeDictionary(priorityEntity(e.priority), o)];
    if (path === 'status') return [serializeDictionary(statusEntity(e.status), o)];
    return [];
  },
  auditView(e) {
    return { ...e.attrs, taskPriority: e.priority, status: e.status, owner: e.ownerId };
  },
  objectName(e) {
    return e.attrs.subject ?? `Task ${e.id}`;
  },
};

/**
 * task_flow: a new task may only be `open` (`task_status_creation` disallows in_progress and closed);
 * an existing task's status is fully restricted at every step, so any change is refused (an
 * unchanged status is not in Doctrine's change set and passes). Only transitions may change it.
 */
function workflowRefuses(isNew: boolean, current: string, wanted: string): boolean {
  return isNew ? wanted !== 'open' : wanted !== current;
}

interface DictionaryEntity extends BaseEntity {
  key: string;
  dictType: 'taskpriorities' | 'taskstatuses';
  attributes: Record<string, unknown>;
  order: number;
}

const priorityEntity = (id: string): DictionaryEntity => {
  const p = TASK_PRIORITIES.find((x) => x.id === id)!;
  return dictionary('taskpriorities', p.id, { label: p.label, order: p.order }, p.order);
};
const statusEntity = (id: string): DictionaryEntity => {
  const i = TASK_STATUSES.findIndex((x) => x.id === id);
  return dictionary('taskstatuses', TASK_STATUSES[i].id, { name: TASK_STATUSES[i].name }, i + 1);
};

function dictionary(dictType: DictionaryEntity['dictType'], key: string, attributes: Record<string, unknown>, order: number): DictionaryEntity {
  return { id: order, key, dictType, attributes, order, ownerId: 0, organizationId: 0, createdAt: '', updatedAt: '' };
}

function serializeDictionary(d: DictionaryEntity, o: Parameters<typeof withLinks>[1]): ResourceObject {
  const r: ResourceObject = { type: d.dictType, id: d.key, attributes: d.attributes };
  return o.hateoas ? { ...r, links: { self: `${o.base}/api/${d.dictType}/${d.key}` } } : r;
}

/** Read-only dictionary resources: GET list (filter[id], filter[order], sort=order/-order) and GET one. */
function dictionaryResource(type: DictionaryEntity['dictType'], rows: () => DictionaryEntity[]): ResourceType<DictionaryEntity> {
  const readOnly = () => {
    throw new Error('read-only');
  };
  return {
    type,
    auditClass: '',
    filters: { id: { kind: 'string', get: (e) => e.key }, order: { kind: 'integer', get: (e) => e.order } },
    sorters: { id: (e) => e.key, order: (e) => e.order },
    includes: [],
    all: () => rows(),
    load: () => null,
    loadByKey: (_db, key) => rows().find((r) => r.key === key) ?? null,
    blank: readOnly,
    clone: (e) => e,
    apply: readOnly,
    validate: readOnly,
    save: readOnly,
    remove: readOnly,
    serialize: (e, o) => serializeDictionary(e, o),
    related: () => [],
    auditView: () => ({}),
    objectName: (e) => e.key,
  };
}

export const taskPrioritiesResource = dictionaryResource('taskpriorities', () => TASK_PRIORITIES.map((p) => priorityEntity(p.id)));
export const taskStatusesResource = dictionaryResource('taskstatuses', () => TASK_STATUSES.map((s) => statusEntity(s.id)));
