// Reads a side's change pages ahead of the engine, so the next pages arrive while the current ones are
// being written (a first sync of 10,000 contacts is otherwise one CRM read, then one round of Graph
// writes, page after page). Reading has no effect on either side: a page's checkpoint is stored only
// after the engine applied it, so pages read ahead and never applied are simply read again next time.
import type { CanonicalRecord } from './records';
import type { ChangePage } from './side';

export interface ReadAhead {
  page: ChangePage<CanonicalRecord>;
  /** The engine's write sequence when this page's read began: writes after it may not show in the page. */
  readFrom: number;
}

export class PageReader {
  private readonly buffer: ReadAhead[] = [];
  private buffered = 0;
  private failure: { error: unknown } | null = null;
  private finished = false;
  private closed = false;
  private wakeTaker: (() => void) | null = null;
  private wakeReader: (() => void) | null = null;
  private readonly running: Promise<void>;

  /**
   * @param read one page after a checkpoint
   * @param writeSeq the engine's current write sequence
   * @param maxAhead changes held unread by the engine before reading pauses
   */
  constructor(
    private readonly read: (checkpoint: string | null) => Promise<ChangePage<CanonicalRecord>>,
    start: string | null,
    private readonly writeSeq: () => number,
    private readonly maxAhead: number,
  ) {
    this.running = this.loop(start);
  }

  private async loop(checkpoint: string | null): Promise<void> {
    try {
      for (;;) {
        while (!this.closed && this.buffered >= this.maxAhead) await new Promise<void>((resume) => (this.wakeReader = resume));
        if (this.closed) return;
        const readFrom = this.writeSeq();
        const page = await this.read(checkpoint);
        if (this.closed) return;
        this.buffer.push({ page, readFrom });
        this.buffered += page.changes.length;
        this.notify();
        if (page.done) return;
        checkpoint = page.checkpoint;
      }
    } catch (error) {
      if (!this.closed) this.failure = { error };
    } finally {
      this.finished = true;
      this.notify();
    }
  }

  /**
   * The pages read so far, oldest first: at least one (waiting for it), and more while they add up to
   * at most `maxChanges`. A read that failed is thrown once the pages before it were taken.
   */
  async take(maxChanges: number): Promise<ReadAhead[]> {
    while (this.buffer.length === 0) {
      if (this.failure) throw this.failure.error;
      if (this.finished) throw new Error('The change reader ended without a last page');
      await new Promise<void>((wake) => (this.wakeTaker = wake));
    }
    const out: ReadAhead[] = [];
    let count = 0;
    while (this.buffer.length > 0 && (out.length === 0 || count + this.buffer[0].page.changes.length <= maxChanges)) {
      const next = this.buffer.shift()!;
      count += next.page.changes.length;
      out.push(next);
      if (next.page.done) break;
    }
    this.buffered -= count;
    this.wakeReader?.();
    return out;
  }

  /** Stops reading ahead and waits for a read in flight to end (its answer is dropped). */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeReader?.();
    await this.running;
  }

  private notify(): void {
    const wake = this.wakeTaker;
    this.wakeTaker = null;
    wake?.();
  }
}
