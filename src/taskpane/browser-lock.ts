// The Web Locks API (navigator.locks): tabs and panes of one browser profile queue for one lock per
// CRM URL + CRM user + mailbox, so they never even race for the shared lease. The lock is held until
// release() or until the page goes away (the browser releases it then).

export interface BrowserLock {
  /** True while this page holds the lock. */
  held(): boolean;
  /** Called once when the lock is granted. */
  onGranted(listener: () => void): void;
  release(): void;
}

type LockManagerLike = { request(name: string, options: { mode: 'exclusive' }, callback: () => Promise<void>): Promise<unknown> };

/** Queues for the lock now. Without Web Locks (old webviews) the page counts as holding it: the shared lease still decides. */
export function requestBrowserLock(name: string, locks: LockManagerLike | undefined = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks): BrowserLock {
  const listeners: Array<() => void> = [];
  if (!locks) {
    return { held: () => true, onGranted: (l) => void Promise.resolve().then(l), release: () => undefined };
  }
  let held = false;
  let released = false;
  let release: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (release = resolve));
  void locks
    .request(name, { mode: 'exclusive' }, async () => {
      if (released) return;
      held = true;
      for (const l of listeners.splice(0)) l();
      await done;
      held = false;
    })
    .catch(() => undefined);
  return {
    held: () => held,
    onGranted: (l) => (held ? void Promise.resolve().then(l) : void listeners.push(l)),
    release: () => {
      released = true;
      held = false;
      release();
    },
  };
}

/** One lock name per sync identity. */
export function lockName(identity: { crmUrl: string; crmUser: string; mailbox: string }): string {
  return `orocrm-sync:${identity.crmUrl}|${identity.crmUser}|${identity.mailbox.toLowerCase()}`;
}
