// The CRM settings client (src/crm) against the CRM emulator over real HTTP.
import { CrmHttp } from '../../src/crm/http';
import { CrmSettingsService } from '../../src/crm/settings-service';
import { PasswordGrantTokens, type FetchLike, type TokenSource } from '../../src/crm/tokens';
import { SettingsChangedElsewhereError, SettingsRejectedError, SettingsStorageChangedError } from '../../src/settings/service';
import { AuthenticationError } from '../../src/sync/errors';
import { memoryOverridesStore, type OverridesStore } from '../../src/settings/local-overrides';
import { resolveSettings } from '../../src/settings';
import { api, startTestCrm, TestClock, tokenFor, type TestCrm } from '../emulators/crm/testing';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

/** A fetch that records the OAuth grants it sends. */
function recordingFetch(): { fetch: FetchLike; grants: string[]; requests: string[] } {
  const grants: string[] = [];
  const requests: string[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    const url = String(input);
    requests.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    if (url.endsWith('/oauth2-token')) grants.push(new URLSearchParams(String(init?.body)).get('grant_type') ?? '?');
    return globalThis.fetch(input, init);
  };
  return { fetch: fetchImpl, grants, requests };
}

function serviceFor(crm: { url: string }, username: string, options: { fetch?: FetchLike; now?: () => number; overrides?: OverridesStore } = {}) {
  const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: crm.url, username, password: username, fetch: options.fetch, now: options.now });
  return { tokens, service: new CrmSettingsService(new CrmHttp({ baseUrl: crm.url, tokens, fetch: options.fetch }), 'user', options.overrides) };
}

describe('CrmSettingsService against the outlooksettings extension', () => {
  let t: TestCrm;
  let clock: TestClock;
  beforeEach(async () => {
    clock = new TestClock();
    t = await startTestCrm({ now: clock.now });
  });
  afterEach(async () => {
    await t.dispose();
  });

  test('load returns the resolved settings, the ETag as version, stored in the CRM', async () => {
    const { service } = serviceFor(t.crm, 'alice');
    const loaded = await service.load();
    expect(loaded.storedIn).toEqual({ kind: 'crm' });
    expect(loaded.scope).toBe('user');
    expect(loaded.version).toMatch(/^"\d+"$/);
    expect(loaded.settings.contacts_sync_interval_outlook).toEqual({ value: 60, useParentScope: true, parentValue: 60, parentScope: 'organization' });
  });

  test('save sends only the change with If-Match and returns the new state', async () => {
    const { service } = serviceFor(t.crm, 'alice');
    const loaded = await service.load();
    const saved = await service.save(
      { contacts_sync_interval_outlook: { useParentScope: false, value: 45 }, contacts_sync_direction: { useParentScope: true } },
      loaded.version,
    );
    expect(saved.version).not.toBe(loaded.version);
    expect(saved.settings.contacts_sync_interval_outlook).toEqual({ value: 45, useParentScope: false, parentValue: 60, parentScope: 'organization' });
    expect((await service.load()).settings).toEqual(saved.settings);
  });

  test('rejected values become a SettingsRejectedError with a FieldError for every bad key, and nothing is saved', async () => {
    const { service } = serviceFor(t.crm, 'alice');
    const loaded = await service.load();
    const error = await service
      .save(
        {
          contacts_sync_interval_outlook: { useParentScope: false, value: 0 },
          contacts_sync_interval_orocrm: { useParentScope: false, value: 100000 },
          tasks_enabled: { useParentScope: false, value: false },
        },
        loaded.version,
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingsRejectedError);
    expect((error as SettingsRejectedError).errors).toEqual([
      { key: 'contacts_sync_interval_outlook', title: 'range constraint', message: 'Outlook Sync Interval (In Seconds): this value should be between 1 and 86399.' },
      { key: 'contacts_sync_interval_orocrm', title: 'range constraint', message: 'CRM Sync Interval (In Seconds): this value should be between 1 and 86399.' },
    ]);
    expect((await service.load()).settings).toEqual(loaded.settings);
  });

  test('a stale version becomes SettingsChangedElsewhereError', async () => {
    const { service } = serviceFor(t.crm, 'alice');
    const loaded = await service.load();
    await service.save({ tasks_enabled: { useParentScope: false, value: false } }, loaded.version);
    await expect(service.save({ contacts_enabled: { useParentScope: false, value: false } }, loaded.version)).rejects.toBeInstanceOf(SettingsChangedElsewhereError);
  });

  test('a non-admin saving organization settings gets a request-level SettingsRejectedError', async () => {
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'alice' });
    const service = new CrmSettingsService(new CrmHttp({ baseUrl: t.crm.url, tokens }), 'organization');
    const error = await service.save({ tasks_enabled: { useParentScope: false, value: false } }, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingsRejectedError);
    expect((error as SettingsRejectedError).errors[0]).toMatchObject({ key: null, title: 'access denied exception' });
  });

  test('a wrong password fails the load with AuthenticationError', async () => {
    const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'wrong' });
    await expect(new CrmSettingsService(new CrmHttp({ baseUrl: t.crm.url, tokens })).load()).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('an access token the server considers expired is refreshed once with the refresh token and the request retried', async () => {
    const rec = recordingFetch();
    // The client's clock stands still, so it believes its token is fresh; the server's moves on.
    const { service } = serviceFor(t.crm, 'alice', { fetch: rec.fetch, now: () => Date.parse('2026-11-01T09:00:00Z') });
    await service.load();
    clock.advance(3601);
    const loaded = await service.load();
    expect(loaded.storedIn).toEqual({ kind: 'crm' });
    expect(rec.grants).toEqual(['password', 'refresh_token']);
    expect(rec.requests.filter((r) => r === 'GET /api/outlooksettings/user')).toHaveLength(3);
  });

  test('the token source refreshes shortly before expiry without waiting for a 401', async () => {
    const rec = recordingFetch();
    let nowMs = Date.parse('2026-11-01T09:00:00Z');
    const { service } = serviceFor(t.crm, 'alice', { fetch: rec.fetch, now: () => nowMs });
    await service.load();
    nowMs += 3570 * 1000;
    await service.load();
    expect(rec.grants).toEqual(['password', 'refresh_token']);
    expect(rec.requests.filter((r) => r === 'GET /api/outlooksettings/user')).toHaveLength(2);
  });

  test('a token that is still refused after one refresh gives AuthenticationError, after exactly one retry', async () => {
    let refreshes = 0;
    const tokens: TokenSource = {
      accessToken: async () => 'stale',
      refresh: async () => {
        refreshes++;
        return 'still-bad';
      },
    };
    const rec = recordingFetch();
    const service = new CrmSettingsService(new CrmHttp({ baseUrl: t.crm.url, tokens, fetch: rec.fetch }));
    await expect(service.load()).rejects.toBeInstanceOf(AuthenticationError);
    expect(refreshes).toBe(1);
    expect(rec.requests).toHaveLength(2);
  });

  test('when the refresh token was revoked, the password grant signs in again', async () => {
    const rec = recordingFetch();
    const { service } = serviceFor(t.crm, 'alice', { fetch: rec.fetch, now: () => Date.parse('2026-11-01T09:00:00Z') });
    await service.load();
    t.crm.ctx.db.prepare('UPDATE oauth_refresh_tokens SET revoked = 1').run();
    clock.advance(3601);
    await service.load();
    expect(rec.grants).toEqual(['password', 'refresh_token', 'password']);
  });
});

describe('CrmSettingsService against a stock Oro (no outlooksettings, no outlook configuration section)', () => {
  let t: TestCrm;
  beforeEach(async () => {
    t = await startTestCrm({ stockOro: true });
  });
  afterEach(async () => {
    await t.dispose();
  });

  test('shows Oro\'s documented defaults, stored outside the CRM, and asks the CRM nothing but outlooksettings', async () => {
    const rec = recordingFetch();
    const { service } = serviceFor(t.crm, 'alice', { fetch: rec.fetch, overrides: memoryOverridesStore('Outlook') });
    const loaded = await service.load();
    expect(loaded.storedIn).toEqual({ kind: 'local', where: 'Outlook' });
    expect(loaded.settings).toEqual(resolveSettings('user', {}));
    expect(loaded.settings.contacts_sync_interval_orocrm).toEqual({ value: 120, useParentScope: true, parentValue: 120, parentScope: 'default' });
    expect(rec.requests.filter((r) => r.startsWith('GET /api/'))).toEqual(['GET /api/outlooksettings/user']);
  });

  test('the user\'s own values are kept in the overrides store, never sent to the CRM, and survive a new service', async () => {
    const overrides = memoryOverridesStore('Outlook');
    const rec = recordingFetch();
    const { service } = serviceFor(t.crm, 'alice', { fetch: rec.fetch, overrides });
    await service.load();
    const before = rec.requests.length;
    const saved = await service.save({ contacts_sync_interval_outlook: { useParentScope: false, value: 45 }, tasks_enabled: { useParentScope: false, value: false } }, null);
    expect(rec.requests.length).toBe(before);
    expect(overrides.values).toEqual({ contacts_sync_interval_outlook: 45, tasks_enabled: false });
    expect(saved.settings.contacts_sync_interval_outlook).toEqual({ value: 45, useParentScope: false, parentValue: 30, parentScope: 'default' });

    const again = await serviceFor(t.crm, 'alice', { overrides }).service.load();
    expect(again.settings).toEqual(saved.settings);
    const back = await service.save({ tasks_enabled: { useParentScope: true } }, null);
    expect(back.settings.tasks_enabled).toEqual({ value: true, useParentScope: true, parentValue: true, parentScope: 'default' });
    expect(overrides.values).toEqual({ contacts_sync_interval_outlook: 45 });
  });

  test('bad values are refused with every problem and nothing is stored; stale or foreign stored values are dropped', async () => {
    const overrides = memoryOverridesStore();
    overrides.values = { contacts_sync_interval_outlook: 99999, colour: 'red', contacts_sync_direction: 'Both' } as never;
    const { service } = serviceFor(t.crm, 'alice', { overrides });
    const loaded = await service.load();
    expect(loaded.settings.contacts_sync_interval_outlook.useParentScope).toBe(true);
    expect(loaded.settings.contacts_sync_direction).toMatchObject({ value: 'Both', useParentScope: false });
    const stored = { ...overrides.values };
    const refused = service.save({ contacts_sync_interval_outlook: { useParentScope: false, value: 0 }, contacts_sync_interval_orocrm: { useParentScope: false, value: 1.5 } }, null);
    await expect(refused).rejects.toBeInstanceOf(SettingsRejectedError);
    await expect(refused).rejects.toMatchObject({ errors: [{ key: 'contacts_sync_interval_outlook' }, { key: 'contacts_sync_interval_orocrm' }] });
    expect(overrides.values).toEqual(stored);
  });

  test('a save that finds the extension gone (404) throws SettingsStorageChangedError and stores nothing anywhere', async () => {
    const overrides = memoryOverridesStore();
    const { service } = serviceFor(t.crm, 'alice', { overrides });
    await expect(service.save({ tasks_enabled: { useParentScope: false, value: false } }, '"1"')).rejects.toBeInstanceOf(SettingsStorageChangedError);
    expect(overrides.values).toEqual({});
    expect((await service.load()).storedIn.kind).toBe('local');
  });
});
