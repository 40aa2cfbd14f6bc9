// The dev sign-in form's OAuth application is the CRM emulator's demo Password one (issue 11 #7): Oro gives
// the password grant only to a confidential application, and the real pane (authorization code + PKCE)
// uses the public add-in application without any secret.
import { DEV_EMULATOR_PASSWORD_APP } from '../../src/auth/dev-config';
import { OUTLOOK_ADDIN_CLIENT_ID } from '../../src/crm/tokens';
import { DEMO_OAUTH_CLIENT_ID, DEMO_RUNNER_APP } from '../emulators/demo-data';

test('the dev form signs in with the emulator demo Password application; the add-in keeps the public one', () => {
  expect(DEV_EMULATOR_PASSWORD_APP).toEqual(DEMO_RUNNER_APP);
  expect(OUTLOOK_ADDIN_CLIENT_ID).toBe(DEMO_OAUTH_CLIENT_ID);
  expect(DEV_EMULATOR_PASSWORD_APP.clientId).not.toBe(OUTLOOK_ADDIN_CLIENT_ID);
});
