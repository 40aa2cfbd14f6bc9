// One name per mailbox for every engine: the lease and the shared state are keyed by it.
import { GraphHttp } from '../../src/outlook';
import { mailboxOf } from '../../src/outlook/mailbox';
import { mailboxAddress } from '../../src/taskpane/host-connection';

function graphAnsweringMe(me: unknown): GraphHttp {
  const fetch = (async () => new Response(JSON.stringify(me), { status: 200, headers: { 'Content-Type': 'application/json' } })) as unknown as typeof globalThis.fetch;
  return new GraphHttp({ baseUrl: 'http://127.0.0.1:1/v1.0', tokens: { accessToken: async () => 't' }, fetch });
}

test("the runner names the mailbox by Graph's primary SMTP address (as Office names it to the pane), not by a different sign-in name", async () => {
  await expect(mailboxOf(graphAnsweringMe({ mail: 'Alice.Lee@Acme.test', userPrincipalName: 'alee@acme.onmicrosoft.com' }), 'alice')).resolves.toBe('alice.lee@acme.test');
  await expect(mailboxOf(graphAnsweringMe({ mail: null, userPrincipalName: 'ALEE@acme.onmicrosoft.com' }), 'alice')).resolves.toBe('alee@acme.onmicrosoft.com');
  await expect(mailboxOf(graphAnsweringMe({}), 'alice')).resolves.toBe('alice');
});

test("the pane names it by Office's userProfile.emailAddress in the same form", () => {
  const office = { context: { mailbox: { userProfile: { emailAddress: ' Alice.Lee@Acme.test ' } } } } as unknown as typeof Office;
  expect(mailboxAddress(office)).toBe('alice.lee@acme.test');
  expect(mailboxAddress({ context: { mailbox: { userProfile: { emailAddress: ' ' } } } } as unknown as typeof Office)).toBeNull();
});
