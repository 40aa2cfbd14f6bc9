// A read-only HTML page for humans watching a sync: every mailbox's folders, contacts, events and tasks.
import type { GraphStore, StoredItem } from './store';
import { escapeHtml } from './util';

function describe(item: StoredItem): string {
  const d = item.data as Record<string, any>;
  switch (item.kind) {
    case 'contact':
      return `${escapeHtml(String(d.displayName ?? ''))} ${(d.emailAddresses ?? []).map((e: { address: string }) => `&lt;${escapeHtml(String(e.address))}&gt;`).join(' ')}`;
    case 'event':
      return `${escapeHtml(String(d.subject ?? ''))} — ${escapeHtml(String(d.start?.dateTime ?? ''))} → ${escapeHtml(String(d.end?.dateTime ?? ''))}${d.isAllDay ? ' (all day)' : ''}`;
    case 'task':
      return `${escapeHtml(String(d.title ?? ''))} [${escapeHtml(String(d.status))}, ${escapeHtml(String(d.importance))}]${d.dueDateTime ? ' due ' + escapeHtml(String(d.dueDateTime.dateTime).slice(0, 10)) : ''}`;
    default:
      return escapeHtml(String(d.displayName ?? d.name ?? ''));
  }
}

function props(item: StoredItem): string {
  const stamps = item.props.map((p) => `${escapeHtml(p.id)} = ${escapeHtml(p.value)}`);
  const links = ((item.data.linkedResources as { applicationName?: string; externalId?: string }[] | undefined) ?? []).map(
    (l) => `linked ${escapeHtml(String(l.applicationName))}: ${escapeHtml(String(l.externalId))}`,
  );
  const all = [...stamps, ...links];
  return all.length ? `<small>${all.join('; ')}</small>` : '';
}

export function renderView(store: GraphStore): string {
  const sections = store.users().map((user) => {
    const containers = [
      ...store.listAll(user.id, 'contactFolder').map((c) => ({ c, kind: 'contact' as const, label: 'Contact folder' })),
      ...store.listAll(user.id, 'calendar').map((c) => ({ c, kind: 'event' as const, label: 'Calendar' })),
      ...store.listAll(user.id, 'todoList').map((c) => ({ c, kind: 'task' as const, label: 'To Do list' })),
    ];
    const blocks = containers.map(({ c, kind, label }) => {
      const items = store.list(user.id, kind, c.id);
      const rows = items.map((i) => `<li>${describe(i)} ${props(i)}</li>`).join('');
      return `<h3>${label}: ${escapeHtml(String(c.data.displayName ?? c.data.name ?? ''))} (${items.length})</h3><ul>${rows}</ul>`;
    });
    return `<section><h2>${escapeHtml(user.displayName)} &lt;${escapeHtml(user.upn)}&gt;</h2>${blocks.join('')}</section>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Graph emulator</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}small{color:#666}h3{margin-bottom:.2em}</style></head>
<body><h1>Microsoft Graph emulator</h1><p>Read-only view, refreshed every 5 s.</p>${sections.join('')}</body></html>`;
}
