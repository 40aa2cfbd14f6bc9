// alice's data on both emulators through the services' own APIs, for browser tests to check what the
// pane (or a runner) did.
import { tokenFor, type CrmEmulator } from '../emulators/crm/server';
import type { GraphEmulator } from '../emulators/graph/server';

export function crmApiOf(crm: CrmEmulator) {
  return async function crmApi(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${crm.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${await tokenFor(crm, 'alice')}`, Accept: 'application/vnd.api+json', 'Content-Type': 'application/vnd.api+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

export function graphApiOf(graph: GraphEmulator) {
  async function graphToken(): Promise<string> {
    const res = await fetch(`${graph.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'https://graph.microsoft.com/Contacts.ReadWrite' }).toString(),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }
  return async function graphApi(path: string, method = 'GET', body?: unknown): Promise<any> {
    const res = await fetch(`${graph.url}/v1.0/me${path}`, {
      method,
      headers: { Authorization: `Bearer ${await graphToken()}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
}

export interface OutlookContact {
  id: string;
  givenName: string;
  surname: string;
  jobTitle: string | null;
}

/** alice's contacts in her "OroCRM" contact folder, where sync keeps them. */
export async function outlookContactsOf(graphApi: ReturnType<typeof graphApiOf>): Promise<OutlookContact[]> {
  const folders = await graphApi('/contactFolders/contacts/childFolders');
  const folder = folders.value.find((f: { displayName: string }) => f.displayName === 'OroCRM');
  if (!folder) return [];
  return (await graphApi(`/contactFolders/${folder.id}/contacts?$top=500`)).value;
}

export async function crmContactNames(crmApi: ReturnType<typeof crmApiOf>): Promise<string[]> {
  const contacts = (await crmApi('GET', '/api/contacts?page[size]=100')).data as Array<{ attributes: { firstName: string; lastName: string } }>;
  return contacts.map((c) => `${c.attributes.firstName} ${c.attributes.lastName}`).sort();
}

export async function crmTaskSubjects(crmApi: ReturnType<typeof crmApiOf>): Promise<string[]> {
  return ((await crmApi('GET', '/api/tasks?page[size]=100')).data as Array<{ attributes: { subject: string } }>).map((t) => t.attributes.subject).sort();
}

export const duplicatesIn = (names: string[]) => names.filter((name, i) => names.indexOf(name) !== i);

export async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
