import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite-store';
import { ANN, describeStoreContract } from '../support/store-contract';

function tempFile(): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
  return { file: join(dir, 'state.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describeStoreContract('SQLite (better-sqlite3)', () => {
  const { file, remove } = tempFile();
  return { open: (identity) => openSqliteStore(file, identity), dispose: remove };
});

describe('SQLite store specifics', () => {
  it('puts the file in WAL mode', async () => {
    const { file, remove } = tempFile();
    try {
      const store = await openSqliteStore(file, ANN);
      await store.close();
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        db.close();
      }
    } finally {
      remove();
    }
  });
});
