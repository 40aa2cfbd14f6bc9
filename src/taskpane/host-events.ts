// The Outlook host's lifetime events, as small sources the pane and the sync scheduler subscribe to
// (office-addins.md §3): a pinned pane outlives item selection (ItemChanged, item may be null), the
// pane wakes on visibilitychange and online/offline, storage keys carry Office.context.partitionKey.
import type { NetworkStatus } from '../sync/scheduler';
import type { HostInfo } from './office-host';

/** `<partitionKey>:` when Office partitions storage (office-addins.md §3, localStorage row), else ''. */
export function partitionPrefix(office: typeof Office | undefined = (globalThis as { Office?: typeof Office }).Office): string {
  const key = (office?.context as { partitionKey?: unknown } | undefined)?.partitionKey;
  return typeof key === 'string' && key ? `${key}:` : '';
}

export type WakeReason = 'visible' | 'online' | 'offline';

/** What the scheduler listens to: reasons to run now (visible, online) or to pause (offline). */
export interface WakeSource {
  subscribe(listener: (reason: WakeReason) => void): () => void;
  isOnline(): boolean;
  isVisible(): boolean;
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface WakeEnvironment {
  window: EventTargetLike & { navigator?: { onLine?: boolean } };
  document: EventTargetLike & { visibilityState?: string };
}

/** Wake-ups from the browser: the pane became visible again, the network came back or went away. */
export function browserWakeSource(env: WakeEnvironment = { window, document }): WakeSource {
  return {
    subscribe(listener) {
      const onVisibility = () => {
        if (env.document.visibilityState !== 'hidden') listener('visible');
      };
      const onOnline = () => listener('online');
      const onOffline = () => listener('offline');
      env.document.addEventListener('visibilitychange', onVisibility);
      env.window.addEventListener('online', onOnline);
      env.window.addEventListener('offline', onOffline);
      return () => {
        env.document.removeEventListener('visibilitychange', onVisibility);
        env.window.removeEventListener('online', onOnline);
        env.window.removeEventListener('offline', onOffline);
      };
    },
    isOnline: () => env.window.navigator?.onLine !== false,
    isVisible: () => env.document.visibilityState !== 'hidden',
  };
}

/**
 * The scheduler's NetworkStatus (src/sync/scheduler.ts) fed by all wake-ups: a pane that becomes visible
 * again reports "online" too, so whatever fell due while it was hidden and throttled runs at once.
 */
export function schedulerNetwork(wake: WakeSource): NetworkStatus {
  return {
    isOnline: () => wake.isOnline(),
    subscribe: (listener) =>
      wake.subscribe((reason) => {
        if (reason === 'offline') listener(false);
        else if (wake.isOnline()) listener(true);
      }),
  };
}

/** The item the user selected, or null (nothing selected, or a pinned pane between selections). */
export interface SelectedItem {
  itemId: string | null;
  itemType: string;
  subject: string | null;
}

function describeItem(item: unknown): SelectedItem | null {
  if (!item || typeof item !== 'object') return null;
  const i = item as { itemId?: unknown; itemType?: unknown; subject?: unknown };
  return {
    itemId: typeof i.itemId === 'string' ? i.itemId : null,
    itemType: typeof i.itemType === 'string' ? i.itemType : 'unknown',
    subject: typeof i.subject === 'string' ? i.subject : null,
  };
}

/**
 * Reports the selected item now and after every ItemChanged of a pinned pane. Only the item view
 * follows it: the sync loop is not restarted. Resolves with a function that removes the handler.
 */
export async function watchSelectedItem(
  onItem: (item: SelectedItem | null) => void,
  office: typeof Office | undefined = (globalThis as { Office?: typeof Office }).Office,
): Promise<() => Promise<void>> {
  const mailbox = office?.context?.mailbox;
  if (!mailbox || typeof mailbox.addHandlerAsync !== 'function') return async () => undefined;
  const handler = () => onItem(describeItem(mailbox.item));
  onItem(describeItem(mailbox.item));
  const type = office.EventType?.ItemChanged ?? ('olkItemSelectedChanged' as unknown as Office.EventType);
  await new Promise<void>((resolve) => {
    // A host without pinning answers "failed": the pane then simply closes with its item.
    mailbox.addHandlerAsync(type, handler, () => resolve());
  });
  return () => new Promise<void>((resolve) => mailbox.removeHandlerAsync(type, () => resolve()));
}

export const OUTSIDE_OUTLOOK_MESSAGE =
  'OroCRM Sync runs inside Outlook. Open Outlook on the web, new Outlook, or Outlook for Windows or Mac, and start it from the ribbon of a message.';

/** A friendly message when the pane cannot work here; null when it can (Outlook, or dev mode anywhere). */
export function outsideOutlookMessage(host: HostInfo, devMode: boolean): string | null {
  if (host.kind === 'outlook' || devMode) return null;
  if (host.kind === 'other-office') return `OroCRM Sync is an Outlook add-in and does nothing in ${host.host ?? 'this application'}. ${OUTSIDE_OUTLOOK_MESSAGE}`;
  return OUTSIDE_OUTLOOK_MESSAGE;
}
