// A CRM that cannot be reached while a worker first looks up a mailbox's user is a transient failure
// (BullMQ retries the job), not a configuration error that backs the mailbox off for up to an hour:
// under load, 1,000 mailboxes starting at once would otherwise park a fifth of them as "failing".
import type { Redis } from 'ioredis';
import { CrmHttp } from '../../src/crm/http';
import { parseConfig } from '../../src/server/config';
import { MailboxConfigurationError, MailboxSync } from '../../src/server/mailbox-sync';
import { ServiceUnavailableError } from '../../src/sync/errors';

const config = parseConfig({
  crm: { url: 'http://crm.test', clientId: 'c', clientSecret: 's' },
  microsoft365: { tenant: 'acme.test', clientId: 'g', clientSecret: 's' },
  users: [{ crmUser: 'alice', mailbox: 'alice@acme.test' }],
  store: { kind: 'sqlite' },
});

function mailboxSync(fetch: (url: string) => Promise<Response>): MailboxSync {
  const crmHttp = new CrmHttp({ baseUrl: config.crm.url, tokens: { accessToken: async () => 'token', invalidate: () => undefined } as never, fetch: fetch as never });
  const services = { config, workerId: 'w1', redis: {} as Redis, crmHttp, graphTokens: {} as never, stateFile: ':memory:', stateDatabase: null, prefix: 'test' };
  return new MailboxSync(services, config.users[0]);
}

test('an unreachable CRM while looking up the user fails the job as transient, not as a configuration error', async () => {
  const sync = mailboxSync(async () => {
    throw new TypeError('fetch failed');
  });
  const error = await sync.run('crm').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ServiceUnavailableError);
  expect(error).not.toBeInstanceOf(MailboxConfigurationError);
});

test('a CRM that answers the user is unknown is a configuration error (the mailbox backs off)', async () => {
  const sync = mailboxSync(async () => new Response(JSON.stringify({ errors: [{ status: '404', title: 'not found http exception', detail: 'There is no user "alice".' }] }), { status: 404, headers: { 'Content-Type': 'application/vnd.api+json' } }));
  await expect(sync.run('crm')).rejects.toBeInstanceOf(MailboxConfigurationError);
});
