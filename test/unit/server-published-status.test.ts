// The status the server publishes for panes, whichever worker ran the job: the other side's last check
// and the server's counts carry over from its previous publication; the next checks are the queue's.
import { publishedStatus } from '../../src/server/published-status';
import { initialStatus, type SyncStatus } from '../../src/sync/status';

const status = (edit: (s: SyncStatus) => void): SyncStatus => {
  const s = initialStatus();
  edit(s);
  return s;
};

test("a job on another worker keeps the other side's last check, adds its writes to the server's counts, and names the queue's next runs", () => {
  const previous = status((s) => {
    s.types.contact.crm.lastCheck = '2026-12-07T10:00:00.000Z';
    s.types.contact.crm.created = 10;
    s.types.contact.outlook.lastCheck = '2026-12-07T10:00:05.000Z';
    s.types.contact.outlook.created = 3;
  });
  // Worker B last ran this mailbox an hour ago: its own engine knows only that.
  const before = status((s) => {
    s.types.contact.crm.lastCheck = '2026-12-07T09:00:00.000Z';
    s.types.contact.outlook.lastCheck = '2026-12-07T09:00:00.000Z';
    s.types.contact.outlook.created = 1;
  });
  const after = status((s) => {
    s.types.contact.crm.lastCheck = '2026-12-07T09:00:00.000Z';
    s.types.contact.outlook.lastCheck = '2026-12-07T10:01:00.000Z';
    s.types.contact.outlook.created = 3;
    s.types.contact.linked = 12;
  });
  const out = publishedStatus({ previous, before, after, ran: ['outlook'], nextRun: { crm: Date.parse('2026-12-07T10:02:00Z'), outlook: Date.parse('2026-12-07T10:01:30Z') } });
  expect(out.types.contact.crm.lastCheck).toBe('2026-12-07T10:00:00.000Z');
  expect(out.types.contact.outlook.lastCheck).toBe('2026-12-07T10:01:00.000Z');
  expect(out.types.contact.outlook.created).toBe(5);
  expect(out.types.contact.crm.created).toBe(10);
  expect(out.types.contact.linked).toBe(12);
  expect(out.types.contact.crm.nextCheck).toBe('2026-12-07T10:02:00.000Z');
  expect(out.types.contact.outlook.nextCheck).toBe('2026-12-07T10:01:30.000Z');
});

test('the first publication is the engine status as it stands, with the next runs', () => {
  const after = status((s) => {
    s.types.task.crm.created = 4;
  });
  const out = publishedStatus({ previous: null, before: initialStatus(), after, ran: ['crm'], nextRun: { crm: null, outlook: Date.parse('2026-12-07T10:00:00Z') } });
  expect(out.types.task.crm.created).toBe(4);
  expect(out.types.task.crm.nextCheck).toBeNull();
  expect(out.types.task.outlook.nextCheck).toBe('2026-12-07T10:00:00.000Z');
});
