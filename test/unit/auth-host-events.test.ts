// The Outlook host's lifetime: pinned-pane ItemChanged (null item included), wake-ups, partitionKey.
import { EventEmitter } from 'node:events';
import { OfficeMockObject } from 'office-addin-mock';

jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

import { browserWakeSource, schedulerNetwork, outsideOutlookMessage, partitionPrefix, watchSelectedItem, type SelectedItem, type WakeReason } from '../../src/taskpane/host-events';
import { STANDALONE } from '../../src/taskpane/office-host';

function mailboxMock(item: unknown) {
  const handlers: Record<string, () => void> = {};
  const seed = {
    host: 'outlook',
    EventType: { ItemChanged: 'olkItemSelectedChanged' },
    context: {
      partitionKey: 'pk-1',
      mailbox: {
        item,
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
  };
  const office = new OfficeMockObject(seed) as any;
  return {
    office: office as typeof Office,
    select(next: unknown) {
      office.context.mailbox.item = next;
      handlers.olkItemSelectedChanged?.();
    },
    handlers,
  };
}

test('a pinned pane follows the selection, including no item, and removes its handler on demand', async () => {
  const host = mailboxMock({ itemId: 'AAA', itemType: 'message', subject: 'Hello' });
  const seen: (SelectedItem | null)[] = [];
  const stop = await watchSelectedItem((item) => seen.push(item), host.office);
  host.select(null);
  host.select({ itemId: 'BBB', itemType: 'message', subject: 'Next' });
  expect(seen).toEqual([
    { itemId: 'AAA', itemType: 'message', subject: 'Hello' },
    null,
    { itemId: 'BBB', itemType: 'message', subject: 'Next' },
  ]);
  await stop();
  expect(host.handlers.olkItemSelectedChanged).toBeUndefined();
});

test('outside Outlook there is nothing to watch', async () => {
  const seen: unknown[] = [];
  const stop = await watchSelectedItem((item) => seen.push(item), undefined);
  await stop();
  expect(seen).toEqual([]);
});

test('storage keys carry Office.context.partitionKey when present', () => {
  expect(partitionPrefix(mailboxMock({}).office)).toBe('pk-1:');
  expect(partitionPrefix({ context: {} } as typeof Office)).toBe('');
  expect(partitionPrefix(undefined)).toBe('');
});

test('visibility and network events wake the scheduler; a hidden pane does not', () => {
  const win = Object.assign(new EventEmitter(), { navigator: { onLine: true } });
  const doc = Object.assign(new EventEmitter(), { visibilityState: 'visible' });
  const target = (e: EventEmitter) => ({ addEventListener: (t: string, l: () => void) => e.on(t, l), removeEventListener: (t: string, l: () => void) => e.off(t, l) });
  const source = browserWakeSource({ window: { ...target(win), navigator: win.navigator }, document: {
      ...target(doc),
      get visibilityState() {
        return doc.visibilityState;
      },
    },
  });
  const reasons: WakeReason[] = [];
  const stop = source.subscribe((r) => reasons.push(r));
  doc.visibilityState = 'hidden';
  doc.emit('visibilitychange');
  doc.visibilityState = 'visible';
  doc.emit('visibilitychange');
  win.emit('offline');
  win.emit('online');
  expect(reasons).toEqual(['visible', 'offline', 'online']);
  expect(source.isOnline()).toBe(true);
  win.navigator.onLine = false;
  expect(source.isOnline()).toBe(false);
  stop();
  win.emit('online');
  expect(reasons).toHaveLength(3);
});

test('outside Outlook the pane explains itself, except in dev mode', () => {
  expect(outsideOutlookMessage(STANDALONE, false)).toMatch(/runs inside Outlook/);
  expect(outsideOutlookMessage(STANDALONE, true)).toBeNull();
  expect(outsideOutlookMessage({ kind: 'other-office', host: 'Excel', platform: null }, false)).toMatch(/does nothing in Excel/);
  expect(outsideOutlookMessage({ kind: 'outlook', host: 'Outlook', platform: 'OfficeOnline' }, false)).toBeNull();
});

test('the scheduler hears "online" when the pane becomes visible again, and nothing while offline', () => {
  const listeners: ((r: WakeReason) => void)[] = [];
  let online = true;
  const network = schedulerNetwork({ subscribe: (l) => (listeners.push(l), () => undefined), isOnline: () => online, isVisible: () => true });
  const heard: boolean[] = [];
  network.subscribe((o) => heard.push(o));
  listeners[0]('visible');
  online = false;
  listeners[0]('offline');
  listeners[0]('visible');
  online = true;
  listeners[0]('online');
  expect(heard).toEqual([true, false, true]);
  expect(network.isOnline()).toBe(true);
});
