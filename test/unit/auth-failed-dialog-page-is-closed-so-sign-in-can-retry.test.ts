// A sign-in window whose page fails (12002 page not found, 12003 not https) stays open unless the add-in
// closes it, and Office then refuses the next Sign-in click (12007: a dialog is already open). The adapter
// closes it, so the Sign-in button works again; a window the user closed (12006) is not closed twice.
import { OfficeMockObject } from 'office-addin-mock';

jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

import { officeAuthDialog } from '../../src/auth/office-dialog';

/** displayDialogAsync with Office's rule: one dialog at a time, until it is closed. */
function outlook(events: Array<{ error: number } | { message: string }>) {
  let open = false;
  let closes = 0;
  const office = new OfficeMockObject({
    host: 'outlook',
    EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived' },
    context: {
      ui: {
        displayDialogAsync(_url: string, _opts: unknown, cb: (r: unknown) => void) {
          if (open) return cb({ status: 'failed', error: { code: 12007, message: 'A dialog box is already opened from this add-in.' } });
          open = true;
          const handlers: Record<string, (arg: unknown) => void> = {};
          cb({ status: 'succeeded', value: { addEventHandler: (t: string, h: (arg: unknown) => void) => (handlers[t] = h), close: () => ((open = false), closes++) } });
          const next = events.shift()!;
          if ('error' in next) {
            if (next.error === 12006) open = false; // the user closed it
            handlers.dialogEventReceived({ error: next.error });
          } else handlers.dialogMessageReceived({ message: next.message });
        },
      },
    },
  }) as unknown as typeof Office;
  return { dialog: officeAuthDialog(office), closes: () => closes };
}

test.each([12002, 12003])('after a failed page (%i) the next sign-in opens a window again', async (code) => {
  const host = outlook([{ error: code }, { message: '{"type":"code"}' }]);
  await expect(host.dialog.open('https://addin.contoso.com/auth-start.html')).rejects.toMatchObject({ failure: 'failed', code });
  expect(host.closes()).toBe(1);
  await expect(host.dialog.open('https://addin.contoso.com/auth-start.html')).resolves.toBe('{"type":"code"}');
});

test('a window the user closed (12006) is not closed again', async () => {
  const host = outlook([{ error: 12006 }, { message: 'ok' }]);
  await expect(host.dialog.open('https://addin.contoso.com/auth-start.html')).rejects.toMatchObject({ failure: 'closed' });
  expect(host.closes()).toBe(0);
  await expect(host.dialog.open('https://addin.contoso.com/auth-start.html')).resolves.toBe('ok');
});
