// One sync state per CRM URL + CRM user + mailbox. Every store derives its key from here,
// so the pane and the headless runner agree on what "the same identity" means.
import type { StoreIdentity } from './types';

/**
 * A stable key for an identity. The URL loses trailing slashes and the mailbox its case
 * (SMTP addresses are case-insensitive in Exchange); the CRM user name is kept as typed.
 */
export function identityKey(identity: StoreIdentity): string {
  const crmUrl = requireText(identity.crmUrl, 'crmUrl').replace(/\/+$/, '');
  const crmUser = requireText(identity.crmUser, 'crmUser');
  const mailbox = requireText(identity.mailbox, 'mailbox').toLowerCase();
  return [crmUrl, crmUser, mailbox].map(encodeURIComponent).join('|');
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`Store identity needs a non-empty ${field}`);
  }
  return value.trim();
}
