// The Outlook pane as index.tsx mounts it (mountOutlookPane), in jsdom with office-addin-mock: a pinned
// pane's ItemChanged, a null item included, reaches the item watcher only. The sync runtime of the
// signed-in session is created once and never stopped by it; the pane keeps showing the connection.
import './support/fluent-setup';
import { act, screen } from '@testing-library/react';
import { OfficeMockObject } from 'office-addin-mock';
import type { ConnectionView } from '../../src/auth/connection-manager';
import type { GraphView } from '../../src/auth/graph-msal-session';
import type { CrmSession } from '../../src/auth/types';
import type { SelectedItem } from '../../src/taskpane/host-events';
import { mountOutlookPane, type OutlookPaneParts } from '../../src/taskpane/outlook-pane';
import { unavailableSyncRuntime, type SyncRuntime } from '../../src/taskpane/sync-runtime';
import { FakeSettingsService } from './support/fake-settings';

jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

function outlookWithPinnedPane(first: unknown) {
  const handlers: Record<string, () => void> = {};
  const office = new OfficeMockObject({
    host: 'outlook',
    EventType: { ItemChanged: 'olkItemSelectedChanged' },
    context: {
      mailbox: {
        item: first,
        userProfile: { emailAddress: 'alice@contoso.com' },
        addHandlerAsync(type: string, handler: () => void, cb: (r: unknown) => void) {
          handlers[type] = handler;
          cb({ status: 'succeeded' });
        },
        removeHandlerAsync(type: string, cb: (r: unknown) => void) {
          delete handlers[type];
          cb({ status: 'succeeded' });
        },
      },
    },
  }) as any;
  return {
    office: office as typeof Office,
    select(next: unknown) {
      office.context.mailbox.item = next;
      handlers.olkItemSelectedChanged?.();
    },
    handlers,
  };
}

function signedInParts() {
  const settings = new FakeSettingsService();
  const session: CrmSession = { crmUrl: 'https://crm.contoso.com', username: 'alice', settings, signOut: () => undefined };
  const view: ConnectionView = { kind: 'signed-in', crmUrl: session.crmUrl, user: { username: 'alice', displayName: 'Alice Archer' } };
  const graphView: GraphView = { kind: 'signed-in' };
  const created: SyncRuntime[] = [];
  let stops = 0;
  const parts: OutlookPaneParts = {
    connection: {
      view: () => view,
      subscribe: () => () => undefined,
      connect: async () => undefined,
      signIn: async () => undefined,
      disconnect: async () => undefined,
      settings: () => settings,
      session: () => session,
    },
    graph: { view: () => graphView, subscribe: () => () => undefined, signIn: async () => undefined },
    createSyncRuntime: () => {
      const runtime = { ...unavailableSyncRuntime('test runtime'), stop: async () => void stops++ };
      created.push(runtime);
      return runtime;
    },
  };
  return { parts, created, stops: () => stops };
}

test('ItemChanged (a null item included) reaches the item watcher only: the sync runtime is created once and never stopped', async () => {
  const host = outlookWithPinnedPane({ itemId: 'AAMk-1', itemType: 'message', subject: 'First' });
  const { parts, created, stops } = signedInParts();
  const items: (SelectedItem | null)[] = [];
  const container = document.body.appendChild(document.createElement('div'));

  let pane!: Awaited<ReturnType<typeof mountOutlookPane>>;
  await act(async () => {
    pane = await mountOutlookPane(host.office, container, parts, (item) => items.push(item));
  });
  await screen.findByText(/Connected to https:\/\/crm\.contoso\.com/);
  // StrictMode runs effects twice on mount: settle on the runtime that survived.
  const settled = created.length;
  const stoppedAtMount = stops();
  expect(settled - stoppedAtMount).toBe(1);

  await act(async () => {
    host.select(null);
    host.select({ itemId: 'AAMk-2', itemType: 'message', subject: 'Second' });
    host.select(null);
  });

  expect(items).toEqual([
    { itemId: 'AAMk-1', itemType: 'message', subject: 'First' },
    null,
    { itemId: 'AAMk-2', itemType: 'message', subject: 'Second' },
    null,
  ]);
  expect(created).toHaveLength(settled);
  expect(stops()).toBe(stoppedAtMount);
  expect(screen.getByText(/Connected to https:\/\/crm\.contoso\.com/)).toBeTruthy();
  expect(screen.getByText('test runtime')).toBeTruthy();

  await act(async () => {
    await pane.unmount();
  });
  expect(host.handlers.olkItemSelectedChanged).toBeUndefined();
  // Closing the pane is what stops sync.
  expect(stops()).toBe(stoppedAtMount + 1);
});
