// What Exchange mails to a meeting's attendees when the organizer writes it (api/event-delete.md), recorded
// by the Graph emulator so that tests can assert the sync sends none.
import { startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeEach(async () => {
  h = await startGraph();
});
afterEach(async () => {
  await h.close();
});

const messages = async () => (await h.call('GET', '/_control/graph/meeting-messages', undefined, {}, null)).body.messages.map((m: any) => [m.kind, m.recipient]);
const when = { start: { dateTime: '2026-11-25T14:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-25T15:00:00', timeZone: 'UTC' } };

test('creating, updating and deleting a meeting mails each attendee; an event without attendees mails nobody', async () => {
  const plain = await h.call('POST', '/v1.0/me/events', { subject: 'Focus time', ...when });
  await h.call('PATCH', `/v1.0/me/events/${plain.body.id}`, { subject: 'Focus' });
  await h.call('DELETE', `/v1.0/me/events/${plain.body.id}`);
  expect(await messages()).toEqual([]);

  const attendees = [{ emailAddress: { address: 'ann@contoso.test' } }, { emailAddress: { address: 'mei@contoso.test' } }];
  const meeting = await h.call('POST', '/v1.0/me/events', { subject: 'Workshop', ...when, attendees });
  expect(meeting.status).toBe(201);
  expect((await h.call('PATCH', `/v1.0/me/events/${meeting.body.id}`, { subject: 'Workshop 2' })).status).toBe(200);
  expect((await h.call('DELETE', `/v1.0/me/events/${meeting.body.id}`)).status).toBe(204);
  expect(await messages()).toEqual([
    ['invitation', 'ann@contoso.test'],
    ['invitation', 'mei@contoso.test'],
    ['update', 'ann@contoso.test'],
    ['update', 'mei@contoso.test'],
    ['cancellation', 'ann@contoso.test'],
    ['cancellation', 'mei@contoso.test'],
  ]);
});
