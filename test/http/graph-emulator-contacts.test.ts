import { CRM_ID, deltaRound, startGraph, type Harness } from '../emulators/graph/testing';

let h: Harness;
beforeEach(async () => {
  h = await startGraph();
});
afterEach(async () => {
  await h.close();
});

async function crmFolderId(): Promise<string> {
  const res = await h.call('GET', `/v1.0/me/contactFolders?$filter=${encodeURIComponent("displayName eq 'OroCRM'")}`);
  expect(res.status).toBe(200);
  expect(res.body.value).toHaveLength(1);
  return res.body.value[0].id;
}

describe('tokens and access', () => {
  test('password grant returns an identity-platform token that opens /me', async () => {
    const res = await fetch(`${h.emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=alice&password=alice&scope=Contacts.ReadWrite%20offline_access&client_id=x',
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, scope: 'Contacts.ReadWrite' });
    expect(typeof body.access_token).toBe('string');
    expect(typeof body.refresh_token).toBe('string');
    const me = await fetch(`${h.emulator.url}/v1.0/me`, { headers: { Authorization: `Bearer ${body.access_token}` } });
    expect(((await me.json()) as { userPrincipalName: string }).userPrincipalName).toBe('alice@acme.test');
  });

  test('a wrong password answers invalid_grant in the identity platform shape', async () => {
    const res = await fetch(`${h.emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=alice&password=nope&scope=x',
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_grant', error_codes: [50126] });
    for (const k of ['error_description', 'timestamp', 'trace_id', 'correlation_id']) expect(typeof body[k]).toBe('string');
  });

  test('a Graph route without a bearer token answers 401 InvalidAuthenticationToken', async () => {
    const res = await h.call('GET', '/v1.0/me/contacts', undefined, {}, null);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    expect(res.body.error.innerError).toEqual(
      expect.objectContaining({ date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/), 'request-id': expect.any(String), 'client-request-id': expect.any(String) }),
    );
  });

  test("another user's mailbox answers 403 ErrorAccessDenied; one's own is reachable through /users/{upn}", async () => {
    const bobs = await h.call('GET', '/v1.0/users/bob@acme.test/contacts');
    expect(bobs.status).toBe(403);
    expect(bobs.body.error.code).toBe('ErrorAccessDenied');
    const own = await h.call('GET', '/v1.0/users/alice@acme.test/contacts');
    expect(own.status).toBe(200);
    expect(own.body.value.map((c: any) => c.givenName).sort()).toEqual(['Mum', 'Sam']);
  });

  test("an item id of another mailbox is not found from one's own", async () => {
    const folder = await crmFolderId();
    const list = await h.call('GET', `/v1.0/me/contactFolders/${folder}/contacts`);
    const res = await h.call('GET', `/v1.0/me/contacts/${list.body.value[0].id}`, undefined, {}, 'bob');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ErrorItemNotFound');
  });
});

describe('contact folders', () => {
  test('the seed has the OroCRM folder under the default Contacts folder, found by $filter', async () => {
    const all = await h.call('GET', '/v1.0/me/contactFolders');
    expect(all.body.value.map((f: any) => f.displayName)).toEqual(['OroCRM']);
    const id = await crmFolderId();
    const contacts = await h.call('GET', `/v1.0/me/contactFolders/${id}/contacts`);
    expect(contacts.body.value.map((c: any) => c.displayName).sort()).toEqual(['Ann Lee', 'Carlos Diaz', 'Priya Nair']);
  });

  test('creating a top-level and a child folder answers 201; a duplicate name answers 409', async () => {
    const top = await h.call('POST', '/v1.0/me/contactFolders', { displayName: 'Clients' });
    expect(top.status).toBe(201);
    expect(top.body).toEqual({ id: expect.any(String), displayName: 'Clients', parentFolderId: expect.any(String) });
    const child = await h.call('POST', `/v1.0/me/contactFolders/${top.body.id}/childFolders`, { displayName: 'VIP' });
    expect(child.status).toBe(201);
    expect(child.body.parentFolderId).toBe(top.body.id);
    const dup = await h.call('POST', '/v1.0/me/contactFolders', { displayName: 'clients' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('ErrorFolderExists');
  });
});

describe('contacts CRUD', () => {
  test('create answers 201 with versions; PATCH keeps omitted properties and changes changeKey and etag', async () => {
    const folder = await crmFolderId();
    const created = await h.call('POST', `/v1.0/me/contactFolders/${folder}/contacts`, {
      givenName: 'Zoe',
      surname: 'Quinn',
      emailAddresses: [{ address: 'zoe@x.test' }],
      businessPhones: ['+1 1'],
      birthday: '1990-01-02',
    });
    expect(created.status).toBe(201);
    const c = created.body;
    expect(c).toMatchObject({ givenName: 'Zoe', surname: 'Quinn', displayName: 'Zoe Quinn', parentFolderId: folder, birthday: '1990-01-02T00:00:00Z' });
    expect(c['@odata.etag']).toBe(`W/"${c.changeKey}"`);
    expect(c.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(c.homeAddress).toEqual({});

    const patched = await h.call('PATCH', `/v1.0/me/contacts/${c.id}`, { jobTitle: 'CEO' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ givenName: 'Zoe', businessPhones: ['+1 1'], jobTitle: 'CEO' });
    expect(patched.body.changeKey).not.toBe(c.changeKey);
    expect(patched.body['@odata.etag']).toBe(`W/"${patched.body.changeKey}"`);

    const got = await h.call('GET', `/v1.0/me/contactFolders/${folder}/contacts/${c.id}`);
    expect(got.body.jobTitle).toBe('CEO');
    const del = await h.call('DELETE', `/v1.0/me/contacts/${c.id}`);
    expect(del.status).toBe(204);
    expect((await h.call('GET', `/v1.0/me/contacts/${c.id}`)).status).toBe(404);
  });

  test('an unknown property is rejected with RequestBodyRead and nothing is stored', async () => {
    const res = await h.call('POST', '/v1.0/me/contacts', { givenName: 'X', shoeSize: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('RequestBodyRead');
    const list = await h.call('GET', '/v1.0/me/contacts');
    expect(list.body.value).toHaveLength(2);
  });

  test('listing pages with $top and @odata.nextLink', async () => {
    for (let i = 0; i < 5; i++) await h.call('POST', '/v1.0/me/contacts', { givenName: `P${i}` });
    const first = await h.call('GET', '/v1.0/me/contacts?$top=3');
    expect(first.body.value).toHaveLength(3);
    const second = await h.call('GET', first.body['@odata.nextLink']);
    expect(second.body.value).toHaveLength(3);
    const third = await h.call('GET', second.body['@odata.nextLink']);
    expect(third.body.value).toHaveLength(1);
    expect(third.body['@odata.nextLink']).toBeUndefined();
  });
});

describe('extended properties', () => {
  test('set on create is omitted from the response, read with $expand, found with $filter any()', async () => {
    const created = await h.call('POST', '/v1.0/me/contacts', { givenName: 'Stamp', singleValueExtendedProperties: [{ id: CRM_ID, value: '42' }] });
    expect(created.status).toBe(201);
    expect(created.body.singleValueExtendedProperties).toBeUndefined();

    // GUID in lower case matches; the Name part is case-sensitive.
    const lowerGuid = CRM_ID.replace('C000', 'c000');
    const expand = encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${lowerGuid}')`);
    const got = await h.call('GET', `/v1.0/me/contacts/${created.body.id}?$expand=${expand}`);
    expect(got.body.singleValueExtendedProperties).toEqual([{ id: CRM_ID, value: '42' }]);
    const wrongName = encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${CRM_ID.replace('OroCRM_id', 'orocrm_id')}')`);
    expect((await h.call('GET', `/v1.0/me/contacts/${created.body.id}?$expand=${wrongName}`)).body.singleValueExtendedProperties).toEqual([]);

    const filter = encodeURIComponent(`singleValueExtendedProperties/Any(ep: ep/id eq '${CRM_ID}' and ep/value eq '42')`);
    const found = await h.call('GET', `/v1.0/me/contacts?$filter=${filter}`);
    expect(found.body.value.map((c: any) => c.id)).toEqual([created.body.id]);
    expect(found.body.value[0].singleValueExtendedProperties).toBeUndefined();
  });

  test('PATCH sets a property; $expand with or-combined ids returns both on a list', async () => {
    const folder = await crmFolderId();
    const list = await h.call('GET', `/v1.0/me/contactFolders/${folder}/contacts`);
    const ann = list.body.value.find((c: any) => c.givenName === 'Ann');
    const patched = await h.call('PATCH', `/v1.0/me/contacts/${ann.id}`, { singleValueExtendedProperties: [{ id: CRM_ID, value: '7' }] });
    expect(patched.status).toBe(200);
    expect(patched.body.singleValueExtendedProperties).toBeUndefined();
    const expand = encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${CRM_ID}' or id eq 'Short 0x3a4d')`);
    const withProps = await h.call('GET', `/v1.0/me/contactFolders/${folder}/contacts?$expand=${expand}`);
    const annProps = withProps.body.value.find((c: any) => c.id === ann.id).singleValueExtendedProperties;
    expect(annProps).toEqual(expect.arrayContaining([{ id: CRM_ID, value: '7' }, { id: 'Short 0x3A4D', value: '1' }]));
  });

  test('a known MAPI tag with the wrong type is refused (PidTagGender is PT_I2: Short, not Integer)', async () => {
    const folder = await crmFolderId();
    const wrong = [{ id: 'Integer 0x3A4D', value: '1' }];
    const create = await h.call('POST', `/v1.0/me/contactFolders/${folder}/contacts`, { givenName: 'Wrong', singleValueExtendedProperties: wrong });
    expect(create.status).toBe(400);
    expect(create.body.error.code).toBe('ErrorInvalidExtendedProperty');
    const ok = await h.call('POST', `/v1.0/me/contactFolders/${folder}/contacts`, { givenName: 'Right', singleValueExtendedProperties: [{ id: 'Short 0x3A4D', value: '1' }] });
    expect(ok.status).toBe(201);
    const patch = await h.call('PATCH', `/v1.0/me/contacts/${ok.body.id}`, { singleValueExtendedProperties: [{ id: 'Long 0x3a4d', value: '2' }] });
    expect(patch.status).toBe(400);
    expect(patch.body.error.code).toBe('ErrorInvalidExtendedProperty');
    const fax = await h.call('PATCH', `/v1.0/me/contacts/${ok.body.id}`, { singleValueExtendedProperties: [{ id: 'Integer 0x3A24', value: '2' }] });
    expect(fax.status).toBe(400);
    const expand = encodeURIComponent(`singleValueExtendedProperties($filter=id eq 'Integer 0x3A4D')`);
    expect((await h.call('GET', `/v1.0/me/contacts/${ok.body.id}?$expand=${expand}`)).status).toBe(400);
    // An unknown tag may carry any type.
    expect((await h.call('PATCH', `/v1.0/me/contacts/${ok.body.id}`, { singleValueExtendedProperties: [{ id: 'Integer 0x6601', value: '2' }] })).status).toBe(200);
  });

  test('contacts delta rejects $expand', async () => {
    const folder = await crmFolderId();
    const res = await h.call('GET', `/v1.0/me/contactFolders/${folder}/contacts/delta?$expand=singleValueExtendedProperties`);
    expect(res.status).toBe(400);
  });
});

describe('contacts delta', () => {
  test('initial round pages with maxpagesize; a deltaLink round returns changes and @removed', async () => {
    const folder = await crmFolderId();
    for (let i = 0; i < 22; i++) await h.call('POST', `/v1.0/me/contactFolders/${folder}/contacts`, { givenName: `N${i}` });
    const first = await h.call('GET', `/v1.0/me/contactFolders/${folder}/contacts/delta`, undefined, { Prefer: 'odata.maxpagesize=4' });
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=4');
    expect(first.body.value).toHaveLength(4);
    expect(first.body['@odata.nextLink']).toContain('$skiptoken=');

    const round = await deltaRound(h, `/v1.0/me/contactFolders/${folder}/contacts/delta`, 4);
    expect(round.items).toHaveLength(25);
    expect(round.pages).toBe(7);
    expect(new Set(round.items.map((i) => i.id)).size).toBe(25);
    expect(round.deltaLink).toContain('$deltatoken=');

    const empty = await deltaRound(h, round.deltaLink);
    expect(empty.items).toEqual([]);

    const [a, b] = round.items;
    await h.call('PATCH', `/v1.0/me/contacts/${a.id}`, { jobTitle: 'Changed' });
    await h.call('DELETE', `/v1.0/me/contacts/${b.id}`);
    const added = await h.call('POST', `/v1.0/me/contactFolders/${folder}/contacts`, { givenName: 'New' });
    const changes = await deltaRound(h, empty.deltaLink, 2);
    expect(changes.items).toHaveLength(3);
    expect(changes.items.find((i) => i.id === a.id).jobTitle).toBe('Changed');
    expect(changes.items.find((i) => i.id === b.id)).toEqual({ '@odata.type': '#microsoft.graph.contact', id: b.id, '@removed': { reason: 'deleted' } });
    expect(changes.items.find((i) => i.id === added.body.id).givenName).toBe('New');
  });

  test('/me/contacts/delta tracks the default folder only', async () => {
    const round = await deltaRound(h, '/v1.0/me/contacts/delta');
    expect(round.items.map((i) => i.givenName).sort()).toEqual(['Mum', 'Sam']);
  });

  test('a write during a round lands in the next round, not lost', async () => {
    const folder = await crmFolderId();
    const first = await h.call('GET', `/v1.0/me/contactFolders/${folder}/contacts/delta`, undefined, { Prefer: 'odata.maxpagesize=1' });
    const seen = first.body.value[0];
    await h.call('PATCH', `/v1.0/me/contacts/${seen.id}`, { jobTitle: 'Mid-round' });
    const rest = await deltaRound(h, first.body['@odata.nextLink'], 1);
    expect(rest.items).toHaveLength(2);
    const next = await deltaRound(h, rest.deltaLink);
    expect(next.items.map((i) => [i.id, i.jobTitle])).toEqual([[seen.id, 'Mid-round']]);
  });
});
