// The Office dialog, reduced to "open this page, give me the first message it sends"
// (office-addins.md §4: sign-in runs in displayDialogAsync; one dialog at a time; 12006 = closed by the user).
// The only module here that touches Office.context.ui.

/** Why a dialog produced no message. */
export type DialogFailure = 'closed' | 'blocked' | 'failed';

export class DialogError extends Error {
  constructor(
    readonly failure: DialogFailure,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'DialogError';
  }
}

export interface AuthDialog {
  /** Opens `url` (on the add-in's own origin) and resolves with the first message the dialog sends; the dialog is then closed. */
  open(url: string, size?: { height: number; width: number }): Promise<string>;
}

// Office dialog error codes (dialog-api-in-office-add-ins.md): 12006 the user closed it; 12007 one is
// already open; 12009 the user ignored the "allow pop-up" prompt; 12002/12003/12004/12005 bad or untrusted URL.
const CLOSED = 12006;
const BLOCKED = new Set([12007, 12009, 12011]);

export function dialogErrorFor(code: number | null, message?: string): DialogError {
  if (code === CLOSED) return new DialogError('closed', code, 'The sign-in window was closed.');
  if (code !== null && BLOCKED.has(code)) return new DialogError('blocked', code, message ?? `The sign-in window could not open (${code}).`);
  return new DialogError('failed', code, message ?? `The sign-in window failed${code !== null ? ` (${code})` : ''}.`);
}

function closeQuietly(dialog: DialogLike): void {
  try {
    dialog.close();
  } catch {
    // Already closed by the host.
  }
}

interface DialogLike {
  addEventHandler(type: Office.EventType, handler: (arg: unknown) => void): void;
  close(): void;
}

/** An AuthDialog over office.js; `office` defaults to the global one. */
export function officeAuthDialog(office: typeof Office | undefined = (globalThis as { Office?: typeof Office }).Office): AuthDialog {
  return {
    open(url, size = { height: 60, width: 30 }) {
      const ui = office?.context?.ui;
      if (!ui || typeof ui.displayDialogAsync !== 'function') {
        return Promise.reject(new DialogError('failed', null, 'Sign-in windows need Outlook (Office dialogs are not available here).'));
      }
      return new Promise<string>((resolve, reject) => {
        ui.displayDialogAsync(url, { height: size.height, width: size.width }, (result) => {
          if (String(result.status) !== 'succeeded') {
            reject(dialogErrorFor(result.error?.code ?? null, result.error?.message));
            return;
          }
          const dialog = result.value as unknown as DialogLike;
          let settled = false;
          const finish = (outcome: () => void) => {
            if (settled) return;
            settled = true;
            outcome();
          };
          dialog.addEventHandler(office!.EventType.DialogMessageReceived, (arg) => {
            const message = (arg as { message?: unknown }).message;
            finish(() => {
              dialog.close();
              if (typeof message === 'string') resolve(message);
              else reject(new DialogError('failed', null, 'The sign-in window sent an unreadable message.'));
            });
          });
          dialog.addEventHandler(office!.EventType.DialogEventReceived, (arg) => {
            const code = (arg as { error?: unknown }).error;
            finish(() => {
              // 12006: already gone. Any other event (12002 page not found, 12003 not https…) leaves the
              // window open, and Office would then refuse the next Sign-in click with 12007.
              if (code !== CLOSED) closeQuietly(dialog);
              reject(dialogErrorFor(typeof code === 'number' ? code : null));
            });
          });
        });
      });
    },
  };
}
