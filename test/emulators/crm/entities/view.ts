// GET /_view: a read-only HTML page of the CRM data for humans (not part of Oro).
import type { Response, Router } from '../../common/http';
import type { CrmContext } from '../context';
import { allEvents } from './calendar';
import { contactsResource } from './contacts';
import { allUsers } from './schema';
import { tasksResource } from './tasks';

const escapeHtml = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(headers: string[], rows: unknown[][]): string {
  if (!rows.length) return '<p><em>none</em></p>';
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function registerView(router: Router, ctx: CrmContext): void {
  router.on('GET', '/_view', (): Response => {
    const contacts = contactsResource.all(ctx.db);
    const tasks = tasksResource.all(ctx.db);
    const calendars = ctx.db.prepare('SELECT id, owner_id FROM crm_calendars').all() as Array<{ id: number; owner_id: number }>;
    const events = allEvents(ctx.db);
    const sections = allUsers(ctx.db).map((u) => {
      const cal = calendars.find((c) => c.owner_id === u.id);
      return `<h2>${escapeHtml(u.fullName)} (${escapeHtml(u.username)}, id ${u.id})</h2>
<h3>Contacts</h3>${table(
        ['id', 'name', 'emails', 'phone', 'externalId', 'updatedAt'],
        contacts.filter((c) => c.ownerId === u.id).map((c) => [c.id, contactsResource.objectName(c), c.attrs.emails.join(', '), c.attrs.primaryPhone, c.externalId, c.updatedAt]),
      )}
<h3>Tasks</h3>${table(['id', 'subject', 'priority', 'status', 'dueDate', 'updatedAt'], tasks.filter((t) => t.ownerId === u.id).map((t) => [t.id, t.attrs.subject, t.priority, t.status, t.attrs.dueDate, t.updatedAt]))}
<h3>Calendar events</h3>${table(
        ['id', 'title', 'start', 'end', 'allDay', 'uid', 'updatedAt'],
        events.filter((e) => cal && e.calendarId === cal.id).map((e) => [e.id, e.data.title, e.data.start, e.data.end, e.data.allDay, e.uid, e.updatedAt]),
      )}`;
    });
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>CRM emulator data</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style>
</head><body><h1>OroCRM emulator: data (read-only)</h1>${sections.join('\n')}</body></html>`;
    return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html };
  });
}
