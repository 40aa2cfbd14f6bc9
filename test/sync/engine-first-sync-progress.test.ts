// First-sync progress in the status: the total comes from a full round's first page when the side
// can tell it (Oro's X-Include: totalCount), and stays unknown until the end when it cannot (Graph).
import type { SyncStatus } from '../../src/sync/status';
import { makeWorld, person } from './engine-helpers';

type Progress = NonNullable<SyncStatus['firstSync']>;

async function firstSyncProgress(reportsTotal: boolean, side: 'crm' | 'outlook', count: number): Promise<Progress[]> {
  const w = await makeWorld(undefined, { reportsTotal, pageSize: 3, maxChangesPerStep: 3 });
  for (let i = 0; i < count; i++) w[side].userCreate('contact', person(`P${i}`, 'Lee'));
  const seen: Progress[] = [];
  const stop = w.engine.subscribe((s) => {
    if (s.firstSync?.side === side && s.firstSync.type === 'contact') seen.push({ ...s.firstSync });
  });
  await w.engine.syncNow();
  stop();
  return seen;
}

describe('first-sync progress', () => {
  test('a side that tells its total shows it from the first page on, before anything is written, while processed counts up', async () => {
    const seen = await firstSyncProgress(true, 'crm', 10);
    expect(seen[0]).toEqual({ type: 'contact', side: 'crm', processed: 0, total: 10 });
    expect(seen.every((p) => p.total === 10)).toBe(true);
    const processed = seen.map((p) => p.processed);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual({ type: 'contact', side: 'crm', processed: 10, total: 10 });
    expect(seen.length).toBeGreaterThan(2);
  });

  test('a side that cannot tell its total leaves it null until the round is done', async () => {
    const seen = await firstSyncProgress(false, 'outlook', 10);
    const midway = seen.filter((p) => p.processed < 10);
    expect(midway.length).toBeGreaterThan(0);
    expect(midway.every((p) => p.total === null)).toBe(true);
    expect(seen.at(-1)).toEqual({ type: 'contact', side: 'outlook', processed: 10, total: 10 });
  });
});
