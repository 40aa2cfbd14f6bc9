import { currentItems } from '../../src/sync/current-items';
import { MalformedResponseError } from '../../src/sync/errors';
import type { SyncSide } from '../../src/sync/side';

const item = (id: string) => ({ id, version: 'v', record: { subject: id, priority: 'normal', dueDate: null, status: 'open' } });

function sideAnswering(answer: unknown[]): SyncSide {
  return { name: 'outlook', get: async () => answer } as unknown as SyncSide;
}

describe('reading current items', () => {
  test('one answer per id, in order, with null for a gone item, is passed through', async () => {
    await expect(currentItems(sideAnswering([item('a'), null]), 'task', ['a', 'b'])).resolves.toEqual([item('a'), null]);
  });

  test('a side that answers fewer items than asked is refused, so the missing ones are never read as deleted', async () => {
    await expect(currentItems(sideAnswering([item('a')]), 'task', ['a', 'b'])).rejects.toThrow(MalformedResponseError);
    await expect(currentItems(sideAnswering([item('a')]), 'task', ['a', 'b'])).rejects.toThrow('Outlook answered 1 task item(s) for 2 requested');
  });

  test('an answer in another order is refused rather than matched to the wrong id', async () => {
    await expect(currentItems(sideAnswering([item('b'), item('a')]), 'task', ['a', 'b'])).rejects.toThrow('item 1 is not the one asked for');
  });

  test('no ids asks nothing', async () => {
    const side = { name: 'crm', get: jest.fn() } as unknown as SyncSide;
    await expect(currentItems(side, 'task', [])).resolves.toEqual([]);
    expect(side.get).not.toHaveBeenCalled();
  });
});
