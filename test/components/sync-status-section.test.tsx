import './support/fluent-setup';
import * as React from 'react';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ConflictLogEntry } from '../../src/store/types';
import type { EntityType } from '../../src/sync/records';
import { initialStatus, type SyncStatus } from '../../src/sync/status';
import { SyncStatusSection } from '../../src/taskpane/components/SyncStatusSection';
import type { SyncControls, SyncView } from '../../src/taskpane/sync-runtime';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const clock = () => NOW;
const iso = (offsetSeconds: number) => new Date(NOW + offsetSeconds * 1000).toISOString();

/** SyncControls over a view the test sets; every action is recorded. */
class FakeSync implements SyncControls {
  calls: string[] = [];
  private listeners = new Set<(v: SyncView) => void>();
  constructor(public current: SyncView) {}
  view = () => this.current;
  subscribe(listener: (v: SyncView) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  set(patch: Partial<SyncView>) {
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l(this.current);
  }
  syncNow = jest.fn(async (): Promise<void> => void this.calls.push('syncNow'));
  retry = jest.fn(async () => void this.calls.push('retry'));
  confirmDeletions = jest.fn(async (type: EntityType) => void this.calls.push(`confirmDeletions ${type}`));
  keepInsteadOfDeleting = jest.fn(async (type: EntityType) => void this.calls.push(`keepInsteadOfDeleting ${type}`));
}

function runningView(edit: (s: SyncStatus) => void = () => undefined, conflicts: ConflictLogEntry[] = []): SyncView {
  const status = initialStatus();
  status.types.contact.enabled = true;
  status.types.task.enabled = true;
  edit(status);
  return { phase: 'running', message: null, status, conflicts };
}

function renderSection(sync: FakeSync) {
  return render(<SyncStatusSection sync={sync} clock={clock} tickMs={60_000} />);
}

const table = (name: string) => screen.getByRole('table', { name });
/** The cell of a row (by its header) and column (0 = OroCRM, 1 = Outlook). */
function cell(tableName: string, row: string, column: 0 | 1): HTMLElement {
  const header = within(table(tableName)).getByRole('rowheader', { name: row });
  return header.parentElement!.querySelectorAll('td')[column] as HTMLElement;
}

describe('Sync status section', () => {
  test('shows per type the last and next check of each side (relative, exact time in a title) and the counts; a type switched off is shown as off', () => {
    const sync = new FakeSync(
      runningView((s) => {
        s.types.contact.crm = { lastCheck: iso(-120), nextCheck: iso(45), created: 1234, updated: 5, deleted: 2, conflicted: 1, lastError: null };
        s.types.contact.outlook = { lastCheck: iso(-30), nextCheck: iso(600), created: 3, updated: 0, deleted: 0, conflicted: 0, lastError: null };
      }),
    );
    renderSection(sync);

    expect(screen.getByRole('heading', { name: 'Sync status' })).toBeTruthy();
    expect(within(table('Contacts')).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['OroCRM', 'Outlook']);
    expect(cell('Contacts', 'Last check', 0).textContent).toBe('2 min ago');
    expect(cell('Contacts', 'Last check', 1).textContent).toBe('30 s ago');
    expect(cell('Contacts', 'Next check', 0).textContent).toBe('in 45 s');
    expect(cell('Contacts', 'Next check', 1).textContent).toBe('in 10 min');
    const time = cell('Contacts', 'Next check', 0).querySelector('time')!;
    expect(time.getAttribute('dateTime')).toBe(iso(45));
    expect(time.getAttribute('title')).toBe(new Date(NOW + 45_000).toLocaleString());
    expect(cell('Contacts', 'Created', 0).textContent).toBe('1,234');
    expect(cell('Contacts', 'Updated', 0).textContent).toBe('5');
    expect(cell('Contacts', 'Deleted', 0).textContent).toBe('2');
    expect(cell('Contacts', 'Conflicts', 0).textContent).toBe('1');
    expect(cell('Contacts', 'Created', 1).textContent).toBe('3');
    expect(cell('Tasks', 'Last check', 0).textContent).toBe('not yet');
    expect(cell('Tasks', 'Next check', 1).textContent).toBe('not scheduled');
    expect(screen.queryByRole('table', { name: 'Calendar Events' })).toBeNull();
    expect(screen.getByText(/off \(not synced\)/).textContent).toBe('Calendar Events: off (not synced)');
  });

  test('Sync now calls syncNow once and is disabled while it runs', async () => {
    const user = userEvent.setup();
    const sync = new FakeSync(runningView());
    let finish!: () => void;
    sync.syncNow.mockImplementation(() => new Promise<void>((r) => (finish = r)));
    renderSection(sync);

    await user.click(screen.getByRole('button', { name: 'Sync now' }));
    expect(sync.syncNow).toHaveBeenCalledTimes(1);
    expect((screen.getByRole('button', { name: 'Syncing…' }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => finish());
    expect((screen.getByRole('button', { name: 'Sync now' }) as HTMLButtonElement).disabled).toBe(false);
  });

  test('the last error is shown in plain words and Retry calls retry', async () => {
    const user = userEvent.setup();
    const sync = new FakeSync(
      runningView((s) => {
        s.lastError = { message: 'Outlook could not be reached. Sync will try again by itself.', side: 'outlook', type: 'contact', at: iso(-5), retryable: true };
      }),
    );
    renderSection(sync);

    // MessageBar content renders a tick later (Fluent delays it so screen readers announce it).
    expect(await screen.findByText('Outlook could not be reached. Sync will try again by itself.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(sync.calls).toEqual(['retry']);
  });

  test('a first sync shows a progress bar with numbers', () => {
    const sync = new FakeSync(runningView((s) => (s.firstSync = { type: 'contact', side: 'crm', processed: 1234, total: 10000 })));
    renderSection(sync);
    const bar = screen.getByRole('progressbar');
    expect(bar.getAttribute('aria-valuetext')).toBe('Contacts: 1,234 of 10,000');
    expect(bar.getAttribute('aria-valuenow')).toBe('12');
    expect(screen.getByText('Contacts: 1,234 of 10,000')).toBeTruthy();
  });

  test('a first sync whose total is unknown says how many were read so far, on an indeterminate bar', () => {
    const sync = new FakeSync(runningView((s) => (s.firstSync = { type: 'task', side: 'outlook', processed: 40, total: null })));
    renderSection(sync);
    expect(screen.getByText('Tasks: 40 read from Outlook')).toBeTruthy();
    const bar = screen.getByRole('progressbar');
    expect(bar.getAttribute('aria-valuetext')).toBe('Tasks: 40 read from Outlook');
    expect(bar.hasAttribute('aria-valuenow')).toBe(false);
  });

  test('the bar turns determinate with "n of total" once the side tells the total, and moves as items are processed', () => {
    const sync = new FakeSync(runningView((s) => (s.firstSync = { type: 'contact', side: 'crm', processed: 0, total: null })));
    renderSection(sync);
    expect(screen.getByRole('progressbar').hasAttribute('aria-valuenow')).toBe(false);
    expect(screen.getByText('Contacts: 0 read from OroCRM')).toBeTruthy();
    const withProgress = (processed: number) => {
      const status: SyncStatus = { ...sync.current.status, firstSync: { type: 'contact', side: 'crm', processed, total: 10000 } };
      act(() => sync.set({ status }));
    };
    withProgress(0);
    expect(screen.getByText('Contacts: 0 of 10,000')).toBeTruthy();
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');
    withProgress(7500);
    expect(screen.getByText('Contacts: 7,500 of 10,000')).toBeTruthy();
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('75');
  });

  test('a first sync of an empty listing shows a full bar, not an endless one', () => {
    const sync = new FakeSync(runningView((s) => (s.firstSync = { type: 'event', side: 'crm', processed: 0, total: 0 })));
    renderSection(sync);
    expect(screen.getByText('Calendar Events: 0 of 0')).toBeTruthy();
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  test('the mass-deletion question: Delete them calls confirmDeletions, Keep them calls keepInsteadOfDeleting, for that type', async () => {
    const user = userEvent.setup();
    const sync = new FakeSync(
      runningView((s) => {
        s.pendingDeletions = [
          { type: 'contact', count: 40, linked: 120, since: iso(-60) },
          { type: 'task', count: 12, linked: 30, since: iso(-60) },
        ];
      }),
    );
    renderSection(sync);

    expect(await screen.findByText(/Sync would delete 40 of 120 Outlook contacts\./)).toBeTruthy();
    expect(screen.getByText(/Sync would delete 12 of 30 Outlook tasks\./)).toBeTruthy();
    await user.click(screen.getAllByRole('button', { name: 'Delete them' })[0]);
    await user.click(screen.getAllByRole('button', { name: 'Keep them' })[1]);
    expect(sync.calls).toEqual(['confirmDeletions contact', 'keepInsteadOfDeleting task']);
  });

  test('ambiguous matches are reported with the item and its candidates', async () => {
    const sync = new FakeSync(
      runningView((s) => {
        s.ambiguousMatches = [{ type: 'contact', side: 'crm', id: '17', item: 'Ann Lee', candidateIds: ['AAMk1', 'AAMk2'], at: iso(-10) }];
      }),
    );
    renderSection(sync);
    const list = await screen.findByRole('list', { name: 'Ambiguous matches' });
    expect(within(list).getByRole('listitem').textContent).toBe('Ann Lee (OroCRM contact) matches 2 Outlook contacts: AAMk1, AAMk2');
  });

  test('the conflict log lists item, fields, the rule that fired and the losing values, newest first', () => {
    const conflicts: ConflictLogEntry[] = [
      { at: iso(-60), type: 'contact', crmId: '1', outlookId: 'A', item: 'Ann Lee', fields: ['firstName', 'phone'], rule: 'OroCRM always wins', winner: 'crm', losingValues: { firstName: 'Anne', phone: null } },
      { at: iso(-3600), type: 'task', crmId: '2', outlookId: 'B', item: 'Call Bob', fields: ['subject'], rule: 'Outlook always wins', winner: 'outlook', losingValues: { subject: 'Ring Bob' } },
    ];
    const sync = new FakeSync(runningView(undefined, conflicts));
    renderSection(sync);

    const rows = within(screen.getByRole('list', { name: 'Conflict log' })).getAllByRole('listitem');
    expect(rows.map((r) => r.textContent)).toEqual([
      'Ann Lee (contact), 1 min agoFields: first name, phoneRule: OroCRM always wins (OroCRM kept)Outlook values replaced: first name "Anne"; phone (empty)',
      'Call Bob (task), 1 h agoFields: subjectRule: Outlook always wins (Outlook kept)OroCRM values replaced: subject "Ring Bob"',
    ]);
  });

  test('an empty conflict log says so', () => {
    renderSection(new FakeSync(runningView()));
    expect(screen.getByText('No conflicts so far.')).toBeTruthy();
  });

  test('status updates from the runtime re-render the section (a running check, then new counts)', () => {
    const sync = new FakeSync(runningView());
    renderSection(sync);
    act(() => sync.set({ status: { ...sync.current.status, running: { side: 'crm', type: 'contact' } } }));
    expect(screen.getByText('Checking OroCRM contacts…')).toBeTruthy();
    expect(cell('Contacts', 'Next check', 0).textContent).toBe('checking now');

    const done = runningView((s) => (s.types.contact.outlook.created = 7));
    act(() => sync.set(done));
    expect(screen.queryByText('Checking OroCRM contacts…')).toBeNull();
    expect(cell('Contacts', 'Created', 1).textContent).toBe('7');
  });

  test('when sync cannot run here, the section says why and offers no Sync now', async () => {
    const sync = new FakeSync({ phase: 'unavailable', message: 'Sync needs access to your Outlook mailbox, which is not available here.', status: initialStatus(), conflicts: [] });
    renderSection(sync);
    expect(await screen.findByText('Sync needs access to your Outlook mailbox, which is not available here.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sync now' })).toBeNull();
  });
});

describe('Sync status section while another engine syncs', () => {
  const follower = (patch: Partial<NonNullable<SyncView['follower']>> = {}): NonNullable<SyncView['follower']> => ({
    deviceLabel: 'Outlook on Windows',
    byServer: false,
    since: '2024-05-01T10:42:00',
    lastCheckAgoSeconds: 15,
    stale: false,
    shared: null,
    observedAt: NOW - 5000,
    ...patch,
  });

  test('says which device syncs, since when and how long ago it checked; counts and conflicts are the holder’s; Sync now asks it', async () => {
    const view = runningView((s) => {
      s.types.contact.crm = { lastCheck: iso(-20), nextCheck: iso(100), created: 7, updated: 0, deleted: 0, conflicted: 0, lastError: null };
    });
    const sync = new FakeSync({ ...view, phase: 'following', follower: follower() });
    renderSection(sync);
    expect(await screen.findByText(/^Syncing in Outlook on Windows since 10:42 · last check 20 s ago$/)).toBeTruthy();
    expect(cell('Contacts', 'Created', 0).textContent).toContain('7');
    await userEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    expect(sync.calls).toEqual(['syncNow']);
  });

  test('a stale holder is named, and Sync now takes over', async () => {
    const sync = new FakeSync({ ...runningView(), phase: 'following', follower: follower({ stale: true }) });
    renderSection(sync);
    expect(await screen.findByText('Outlook on Windows stopped syncing this mailbox. Sync now takes over here.')).toBeTruthy();
  });

  test('the sync server as holder: "Synced by the OroCRM Sync server" with its last and next checks, counts and error; Sync now only asks it', async () => {
    const view = runningView((s) => {
      s.types.contact.crm = { lastCheck: iso(-20), nextCheck: iso(100), created: 7, updated: 1, deleted: 0, conflicted: 0, lastError: null };
      s.types.contact.outlook = { lastCheck: iso(-50), nextCheck: iso(10), created: 2, updated: 0, deleted: 0, conflicted: 0, lastError: null };
      s.lastError = { message: 'Outlook is busy and asked us to wait for 30 s. Sync will try again by itself.', side: 'outlook', type: 'contact', at: iso(-50), retryable: true };
    });
    const sync = new FakeSync({ ...view, phase: 'following', follower: follower({ deviceLabel: 'OroCRM Sync server', byServer: true }) });
    renderSection(sync);
    expect(await screen.findByText('Synced by the OroCRM Sync server · last check 20 s ago')).toBeTruthy();
    expect(screen.queryByText(/^Syncing in/)).toBeNull();
    expect(cell('Contacts', 'Next check', 0).textContent).toBe('in 2 min');
    expect(cell('Contacts', 'Next check', 1).textContent).toBe('in 10 s');
    expect(cell('Contacts', 'Created', 0).textContent).toBe('7');
    expect(screen.getByText(/since the OroCRM Sync server began syncing this mailbox/)).toBeTruthy();
    expect(screen.getByText('Outlook is busy and asked us to wait for 30 s. Sync will try again by itself.')).toBeTruthy();
    // Nothing here runs the pane's own engine: no Retry, no deletion answers.
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    expect(sync.calls).toEqual(['syncNow']);
    expect(await screen.findByText('The server was asked to check both sides now.')).toBeTruthy();
  });

  test('deletions the server holds back are named, with no Delete or Keep buttons here', async () => {
    const view = runningView((s) => {
      s.pendingDeletions = [{ type: 'contact', count: 40, linked: 50, since: iso(-60) }];
    });
    const sync = new FakeSync({ ...view, phase: 'following', follower: follower({ deviceLabel: 'OroCRM Sync server', byServer: true }) });
    renderSection(sync);
    expect(await screen.findByText(/^Sync would delete 40 of 50 Outlook contacts\. The OroCRM Sync server holds them back/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Delete/ })).toBeNull();
  });

  test('a server that stopped renewing: the pane says it takes over', async () => {
    const sync = new FakeSync({ ...runningView(), phase: 'following', follower: follower({ deviceLabel: 'OroCRM Sync server', byServer: true, stale: true }) });
    renderSection(sync);
    expect(await screen.findByText('The OroCRM Sync server stopped syncing this mailbox; this pane takes over.')).toBeTruthy();
  });
});
