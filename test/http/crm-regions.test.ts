// Issue 11, finding 6: Oro's country and region rules for contact addresses, and how CrmSide maps
// Outlook's free-text state. Sources: platform AddressBundle Tests/Functional/Api/RestJsonApi/
// AddressCountryAndRegionTestTrait (used by crm ContactAddressTest, IS_REGION_REQUIRED = false),
// Resources/translations/validators.en.yml (invalid_country_region, invalid_region_text), RegionTest /
// CountryTest (regions: ids `US-NY`, attributes code + name, filter[country] with a list), ApiBundle tests
// for an unknown related entity ("form constraint", "The entity does not exist.").
import { DEMO_RUNNER_APP } from '../emulators/demo-data';
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import type { ContactRecord, PostalAddress } from '../../src/sync/records';
import type { WriteOp } from '../../src/sync/side';
import { api as rawApi, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';
import { blankContact } from '../support/records';

let t: TestCrm;
let token: string;

beforeEach(async () => {
  t = await startTestCrm();
  token = await tokenFor(t.crm, 'alice');
});
afterEach(async () => {
  await t.dispose();
});

const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => rawApi(t.crm, method, path, { token, body, headers });

/** A contact with one address in `included`, as the CRM side writes it. */
function contactWithAddress(address: { country: string | null; region?: string | null; customRegion?: string | null }) {
  return {
    data: { type: 'contacts', attributes: { firstName: 'Region', lastName: 'Test' }, relationships: { addresses: { data: [{ type: 'contactaddresses', id: 'a1' }] } } },
    included: [
      {
        type: 'contactaddresses',
        id: 'a1',
        attributes: { primary: true, street: '1 Main', city: 'Town', postalCode: '1', customRegion: address.customRegion ?? null },
        relationships: {
          country: { data: address.country === null ? null : { type: 'countries', id: address.country } },
          region: { data: address.region ? { type: 'regions', id: address.region } : null },
        },
      },
    ],
  };
}

describe('the emulator refuses what Oro refuses on addresses', () => {
  test('a region of another country is a valid region constraint with Oro\'s message', async () => {
    const res = await api('POST', '/api/contacts', contactWithAddress({ country: 'US', region: 'MX-GUA' }));
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      { status: '400', title: 'valid region constraint', detail: 'Region Guanajuato does not belong to country United States', source: { pointer: '/included/0/relationships/region/data' } },
    ]);
    const gb = await api('POST', '/api/contacts', contactWithAddress({ country: 'MX', region: 'US-NY' }));
    expect(gb.json.errors[0].detail).toBe('Region New York does not belong to country Mexico');
  });

  test('a region id that does not exist is a form constraint: the entity does not exist', async () => {
    const res = await api('POST', '/api/contacts', contactWithAddress({ country: 'US', region: 'US-XX' }));
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ status: '400', title: 'form constraint', detail: 'The entity does not exist.', source: { pointer: '/included/0/relationships/region/data' } }]);
  });

  test('a custom region for a country with predefined regions is a region text constraint; without regions it is kept', async () => {
    const res = await api('POST', '/api/contacts', contactWithAddress({ country: 'US', customRegion: 'some region' }));
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ status: '400', title: 'region text constraint', detail: 'Custom region can be used only for countries without predefined regions.', source: { pointer: '/included/0' } }]);
    const isleOfMan = await api('POST', '/api/contacts?include=addresses', contactWithAddress({ country: 'IM', customRegion: 'some region' }));
    expect(isleOfMan.status).toBe(201);
    expect(isleOfMan.json.included[0].attributes.customRegion).toBe('some region');
    expect(isleOfMan.json.included[0].relationships.region.data).toBeNull();
  });

  test('a contact address needs no region, even where the country has regions (IS_REGION_REQUIRED = false)', async () => {
    expect((await api('POST', '/api/contacts', contactWithAddress({ country: 'US' }))).status).toBe(201);
    expect((await api('POST', '/api/contacts', contactWithAddress({ country: 'US', region: 'US-NY' }))).status).toBe(201);
  });

  test('regions are listed by country (a comma list), read one by one, and cannot be written', async () => {
    const us = await api('GET', '/api/regions?filter[country]=US&page[size]=-1');
    expect(us.status).toBe(200);
    expect(us.json.data.find((r: any) => r.id === 'US-NY')).toMatchObject({ type: 'regions', id: 'US-NY', attributes: { code: 'NY', name: 'New York' }, relationships: { country: { data: { type: 'countries', id: 'US' } } } });
    expect(us.json.data.length).toBeGreaterThan(50);
    const paged = await api('GET', '/api/regions?filter[country]=US');
    expect(paged.json.data).toHaveLength(10); // Oro's default page
    const two = await api('GET', '/api/regions?filter[country]=IL,DE&page[size]=-1');
    expect(new Set(two.json.data.map((r: any) => r.relationships.country.data.id))).toEqual(new Set(['IL', 'DE']));
    expect((await api('GET', '/api/regions?filter[country]=IM')).json.data).toEqual([]);
    expect((await api('GET', '/api/regions/GB-XX')).status).toBe(404);
    expect((await api('GET', '/api/regions/DE-BY')).json.data.attributes).toEqual({ code: 'BY', name: 'Bayern' });
    expect((await api('POST', '/api/regions', { data: { type: 'regions' } })).status).toBe(405);
  });
});

function side(): CrmSide {
  const tokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: t.crm.url, username: 'alice', password: 'alice' });
  return new CrmSide({ http: new CrmHttp({ baseUrl: t.crm.url, tokens }) });
}
const home = (region: string | null, country: string): PostalAddress => ({ street: '1 Main', city: 'Town', region, postalCode: '1', country });
const person = (lastName: string, homeAddress: PostalAddress) => blankContact({ firstName: 'Reg', lastName, homeAddress });

describe('CrmSide maps Outlook\'s free-text state onto Oro\'s regions', () => {
  test('a code, a name in any case, or a region id becomes the region; it reads back as the code', async () => {
    const s = side();
    const ops: Array<WriteOp<ContactRecord>> = [
      { op: 'create', key: 'r1', record: person('Code', home('NY', 'US')) },
      { op: 'create', key: 'r2', record: person('Name', home('new york', 'US')) },
      { op: 'create', key: 'r3', record: person('Accents', home('Baden-Wurttemberg', 'DE')) },
      { op: 'create', key: 'r4', record: person('Id', home('US-CA', 'US')) },
    ];
    const results = await s.apply('contact', ops);
    expect(results.map((r) => r.ok && !r.unsynced)).toEqual([true, true, true, true]);
    const stored = await s.get('contact', results.map((r) => (r.ok ? r.id : '')));
    expect(stored.map((x) => x?.record.homeAddress?.region)).toEqual(['NY', 'NY', 'BW', 'CA']);
  });

  test('a country without predefined regions keeps the state as a custom region', async () => {
    const s = side();
    const [r] = await s.apply('contact', [{ op: 'create', key: 'im', record: person('Manx', home('Onchan district', 'IM')) }]);
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.unsynced).toBeFalsy();
    const [stored] = await s.get('contact', [r.ok ? r.id : '']);
    expect(stored?.record.homeAddress).toEqual(home('Onchan district', 'IM'));
  });

  test('a state Oro has no region for: the contact lands without it, the state is reported, and the rest of the batch lands', async () => {
    const s = side();
    const results = await s.apply('contact', [
      { op: 'create', key: 'u1', record: person('Before', home('IL', 'US')) },
      { op: 'create', key: 'u2', record: person('Nowhere', home('Atlantis', 'US')) },
      { op: 'create', key: 'u3', record: person('After', home('Texas', 'US')) },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(results[1]).toMatchObject({ ok: true, unsynced: { fields: ['homeAddress'], kept: { homeAddress: home(null, 'US') }, reason: expect.stringContaining('"Atlantis" (US)') } });
    const stored = await s.get('contact', results.map((r) => (r.ok ? r.id : '')));
    expect(stored.map((x) => x?.record.homeAddress)).toEqual([home('IL', 'US'), home(null, 'US'), home('TX', 'US')]);
    expect(results[1].ok && stored[1]?.version).toBe(results[1].ok ? results[1].version : null);
  });

  test('an update of another field leaves the address and its state alone', async () => {
    const s = side();
    const [made] = await s.apply('contact', [{ op: 'create', key: 'keep', record: person('Keep', home('Atlantis', 'US')) }]);
    const id = made.ok ? made.id : '';
    const [updated] = await s.apply('contact', [{ op: 'update', id, record: { ...person('Kept', home('Atlantis', 'US')) }, fields: ['lastName'] }]);
    expect(updated.ok && updated.unsynced).toBeFalsy();
  });
});
