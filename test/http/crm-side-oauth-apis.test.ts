// Issue 11 #7: an Oro OAuth application limited to the JSON:API (no legacy `default` API view) still
// syncs contacts and tasks (deletions by reconciling ids, since the audit log answers 403 too), and
// calendar events fail with a message that says which API the administrator must grant.
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import { addOAuthApplication } from '../emulators/crm/oauth-clients';
import { startTestCrm, type TestCrm } from '../emulators/crm/testing';

let t: TestCrm;
beforeAll(async () => {
  t = await startTestCrm();
  addOAuthApplication(t.crm.ctx.db, { clientId: 'json-only', name: 'JSON:API only', grant: 'password', secret: 'json-secret', apis: ['rest_json_api'] });
});
afterAll(async () => t.dispose());

test('without the legacy API view: contacts read, events refused with the API to grant', async () => {
  const tokens = new PasswordGrantTokens({ baseUrl: t.crm.url, username: 'alice', password: 'alice', clientId: 'json-only', clientSecret: 'json-secret' });
  const crm = new CrmSide({ http: new CrmHttp({ baseUrl: t.crm.url, tokens }), retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  const contacts = await crm.readChanges('contact', null);
  expect(contacts.changes.length).toBeGreaterThan(0);
  await expect(crm.readChanges('event', null)).rejects.toThrow(/refused its legacy REST API \(\/api\/rest\).*'plain \(deprecated\)', view default/);
});
