// The dedicated "OroCRM" contact folder and To Do list (sync-design.md "Dedicated containers"): found by
// name when they exist, created once when they do not. Creating is a plain POST, so after an unknown
// outcome we list again before trying another create, and a "folder exists" answer means "look again".
import { MalformedResponseError, ServiceUnavailableError } from '../sync/errors';
import { graphError } from './graph-errors';
import { OutcomeUnknownError, type GraphHttp } from './graph-http';
import { CONTACT_FOLDER_NAME, TODO_LIST_NAME } from './properties';

interface Named {
  id: string;
  displayName: string;
  wellknownListName?: string;
}

/** Every item of a collection, following @odata.nextLink. */
export async function listAll(http: GraphHttp, url: string, headers?: Record<string, string>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let next: string | undefined = url;
  for (let pages = 0; next; pages++) {
    if (pages > 10_000) throw new MalformedResponseError(`Graph's paging of ${url} does not end.`);
    const body = await http.json({ method: 'GET', url: next, headers });
    if (!Array.isArray(body.value) || !body.value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
      throw new MalformedResponseError(`Graph answered GET ${url} without a value array of objects.`);
    }
    out.push(...(body.value as Record<string, unknown>[]));
    const link = body['@odata.nextLink'];
    next = typeof link === 'string' ? link : undefined;
  }
  return out;
}

async function findOrCreate(http: GraphHttp, listUrl: string, name: string, accept: (n: Named) => boolean): Promise<string> {
  const find = async () => {
    const items = (await listAll(http, listUrl)) as unknown as Named[];
    // Oldest first as listed; a duplicate made elsewhere is ignored, never merged.
    return items.find((i) => typeof i.id === 'string' && typeof i.displayName === 'string' && i.displayName.toLowerCase() === name.toLowerCase() && accept(i))?.id ?? null;
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await find();
    if (existing) return existing;
    const res = await http.request({ method: 'POST', url: listUrl, body: { displayName: name } }).catch((e: unknown) => {
      if (e instanceof OutcomeUnknownError) return null;
      throw e;
    });
    if (res && (res.status === 200 || res.status === 201)) {
      const id = (res.body as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string' && id) return id;
      throw new MalformedResponseError(`Graph created "${name}" but sent no id.`);
    }
    // 409 (exists), 5xx or a lost answer: look again before another create.
    if (res && res.status !== 409 && res.status < 500) throw graphError(res.status, res.headers, res.body, `POST ${listUrl} "${name}"`);
  }
  throw new ServiceUnavailableError(`Could not find or create "${name}" in Outlook.`);
}

/** Caches container ids per side instance; concurrent callers share one lookup. */
export class Containers {
  private contactFolder: Promise<string> | null = null;
  private todoList: Promise<string> | null = null;

  constructor(private readonly http: GraphHttp) {}

  contactFolderId(): Promise<string> {
    this.contactFolder ??= findOrCreate(this.http, '/me/contactFolders', CONTACT_FOLDER_NAME, () => true).catch((e: unknown) => {
      this.contactFolder = null;
      throw e;
    });
    return this.contactFolder;
  }

  todoListId(): Promise<string> {
    this.todoList ??= findOrCreate(this.http, '/me/todo/lists', TODO_LIST_NAME, (l) => l.wellknownListName !== 'defaultList').catch((e: unknown) => {
      this.todoList = null;
      throw e;
    });
    return this.todoList;
  }

  /** Forget cached ids (e.g. the user deleted the folder: Graph answered 404). */
  forget(): void {
    this.contactFolder = null;
    this.todoList = null;
  }
}
