import { FullResyncRequiredError } from '../../src/sync/errors';
import { PageReader } from '../../src/sync/page-reader';
import type { CanonicalRecord } from '../../src/sync/records';
import type { ChangePage } from '../../src/sync/side';

/** Pages "p1".."pN" of `size` deletions each; checkpoint of page n is "n". */
function pages(count: number, size = 2) {
  const reads: Array<string | null> = [];
  const gates: Array<() => void> = [];
  let hold = false;
  const read = async (checkpoint: string | null): Promise<ChangePage<CanonicalRecord>> => {
    reads.push(checkpoint);
    if (hold) await new Promise<void>((open) => gates.push(open));
    const n = checkpoint === null ? 1 : Number(checkpoint) + 1;
    return { changes: Array.from({ length: size }, (_, i) => ({ kind: 'delete' as const, id: `p${n}-${i}` })), checkpoint: String(n), done: n === count, full: false };
  };
  return { read, reads, gates, setHold: (h: boolean) => (hold = h) };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('PageReader', () => {
  it('hands pages over in read order, as many as fit the step, each from the checkpoint of the one before', async () => {
    const src = pages(5);
    const reader = new PageReader(src.read, null, () => 7, 100);
    await settle();
    const first = await reader.take(4);
    expect(first.map((p) => p.page.checkpoint)).toEqual(['1', '2']);
    expect(first[0].readFrom).toBe(7);
    const rest = await reader.take(100);
    expect(rest.map((p) => p.page.checkpoint)).toEqual(['3', '4', '5']);
    expect(src.reads).toEqual([null, '1', '2', '3', '4']);
    await reader.close();
  });

  it('reads the next page while the one taken is being applied', async () => {
    const src = pages(3);
    const reader = new PageReader(src.read, '0', () => 0, 100);
    const first = await reader.take(1);
    expect(first).toHaveLength(1);
    await settle();
    expect(src.reads.length).toBeGreaterThan(1); // read ahead without being asked
    await reader.close();
  });

  it('throws a failed read only after the pages read before it were taken', async () => {
    let n = 0;
    const reader = new PageReader(
      async () => {
        n++;
        if (n === 2) throw new FullResyncRequiredError('gone');
        return { changes: [], checkpoint: 'a', done: false, full: true };
      },
      null,
      () => 0,
      100,
    );
    await settle();
    expect(await reader.take(10)).toHaveLength(1);
    await expect(reader.take(10)).rejects.toBeInstanceOf(FullResyncRequiredError);
    await reader.close();
  });

  it('pauses once maxAhead changes wait to be taken, and close() waits for the read in flight', async () => {
    const src = pages(50, 5);
    const reader = new PageReader(src.read, null, () => 0, 10);
    await settle();
    expect(src.reads).toHaveLength(2); // 10 changes waiting: no third read
    src.setHold(true);
    await reader.take(5);
    await settle();
    expect(src.reads).toHaveLength(3);
    const closed = reader.close();
    let done = false;
    void closed.then(() => (done = true));
    await settle();
    expect(done).toBe(false);
    src.gates.forEach((open) => open());
    await closed;
    expect(src.reads).toHaveLength(3);
  });
});
