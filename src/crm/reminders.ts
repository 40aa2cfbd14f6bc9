// Oro event reminders ↔ the one reminder an Outlook event has (docs/sync.md "Reminders").
//
// Oro (platform ReminderBundle): an event holds a list of reminders, each `{method, interval: {number,
// unit}}`; units M, H, D, W (Model/ReminderInterval.php), methods the registered send processors
// (`email`, `web_socket`: Model/Email/EmailSendProcessor, Model/WebSocket/WebSocketSendProcessor). The
// legacy event API reads and writes that list (CalendarEventApiType `reminders`,
// ReminderManager::applyReminders); a PUT with `reminders` replaces the list, one without keeps it.
// Outlook: one reminder, `isReminderOn` + `reminderMinutesBeforeStart`.
//
// Canonical: minutes before the start of Oro's earliest reminder, null when it has none. A write from
// Outlook replaces that earliest reminder only (its method kept) and keeps every other; a new one is a
// `web_socket` reminder, Oro's in-app pop-up, as Outlook's is.

export type OroReminderUnit = 'M' | 'H' | 'D' | 'W';
export interface OroReminder {
  method: string;
  interval: { number: number; unit: OroReminderUnit };
}

const UNIT_MINUTES: Record<OroReminderUnit, number> = { M: 1, H: 60, D: 1440, W: 10080 };
export const NEW_REMINDER_METHOD = 'web_socket';

export function reminderMinutes(r: OroReminder): number {
  return r.interval.number * UNIT_MINUTES[r.interval.unit];
}

/** The largest unit that holds `minutes` exactly, so Oro shows "1 day", not "1440 minutes". */
export function intervalOf(minutes: number): OroReminder['interval'] {
  for (const unit of ['W', 'D', 'H'] as const) {
    if (minutes > 0 && minutes % UNIT_MINUTES[unit] === 0) return { number: minutes / UNIT_MINUTES[unit], unit };
  }
  return { number: minutes, unit: 'M' };
}

/** Oro's reminders as the canonical one: the earliest (most minutes before the start). */
export function earliestReminder(reminders: ReadonlyArray<OroReminder>): number | null {
  return reminders.length ? Math.max(...reminders.map(reminderMinutes)) : null;
}

/**
 * The list to send so that Oro's earliest reminder becomes `minutes` (null: removed), every other
 * reminder kept. Another reminder earlier than the new value stays too, and then stays the earliest.
 */
export function withEarliestReminder(current: ReadonlyArray<OroReminder>, minutes: number | null): OroReminder[] {
  const earliest = earliestReminder(current);
  const at = earliest === null ? -1 : current.findIndex((r) => reminderMinutes(r) === earliest);
  const others = current.filter((_, i) => i !== at).map((r) => ({ method: r.method, interval: { ...r.interval } }));
  if (minutes === null) return others;
  const method = at >= 0 ? current[at].method : NEW_REMINDER_METHOD;
  return [{ method, interval: intervalOf(minutes) }, ...others];
}
