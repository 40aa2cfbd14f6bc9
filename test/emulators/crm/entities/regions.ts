// Oro's countries and regions (platform AddressBundle `Migrations/Data/ORM/data/countries.yml`, names from
// its translations): a region's id is its `combinedCode` (`US-NY`), its attributes `code` and `name`, and
// it belongs to one country (`relationships.country`). `GET /api/regions` (filter[id], filter[country],
// both allow a comma list) and `GET /api/regions/{id}` are read-only, as in Oro (AddressBundle `api.yml`,
// `RegionTest`). Only the countries below have regions here; every other country has none (a real Oro
// has regions for most countries: the client reads them from this API either way).
import type { ResourceObject } from './attributes';
import type { BaseEntity, ResourceType, SerializeOptions } from './resources';

const REGION_NAMES: Record<string, Record<string, string>> = {
  US: {
    AK: 'Alaska', AL: 'Alabama', AR: 'Arkansas', AS: 'American Samoa', AZ: 'Arizona', CA: 'California', CO: 'Colorado',
    CT: 'Connecticut', DC: 'District of Columbia', DE: 'Delaware', FL: 'Florida', GA: 'Georgia', GU: 'Guam', HI: 'Hawaii',
    IA: 'Iowa', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana',
    MA: 'Massachusetts', MD: 'Maryland', ME: 'Maine', MI: 'Michigan', MN: 'Minnesota', MO: 'Missouri',
    MP: 'Northern Mariana Islands', MS: 'Mississippi', MT: 'Montana', NC: 'North Carolina', ND: 'North Dakota',
    NE: 'Nebraska', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NV: 'Nevada', NY: 'New York', OH: 'Ohio',
    OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', PR: 'Puerto Rico', RI: 'Rhode Island', SC: 'South Carolina',
    SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UM: 'United States Minor Outlying Islands', UT: 'Utah',
    VA: 'Virginia', VI: 'Virgin Islands, U.S.', VT: 'Vermont', WA: 'Washington', WI: 'Wisconsin', WV: 'West Virginia',
    WY: 'Wyoming',
  },
  CA: {
    AB: 'Alberta', BC: 'British Columbia', MB: 'Manitoba', NB: 'New Brunswick', NL: 'Newfoundland and Labrador',
    NS: 'Nova Scotia', NT: 'Northwest Territories', NU: 'Nunavut', ON: 'Ontario', PE: 'Prince Edward Island',
    QC: 'Quebec', SK: 'Saskatchewan', YT: 'Yukon Territory',
  },
  MX: {
    AGU: 'Aguascalientes', BCN: 'Baja California', BCS: 'Baja California Sur', CAM: 'Campeche', CHH: 'Chihuahua',
    CHP: 'Chiapas', COA: 'Coahuila', COL: 'Colima', DIF: 'Distrito Federal', DUR: 'Durango', GRO: 'Guerrero',
    GUA: 'Guanajuato', HID: 'Hidalgo', JAL: 'Jalisco', MEX: 'Mexico', MIC: 'Michoacán', MOR: 'Morelos', NAY: 'Nayarit',
    NLE: 'Nuevo León', OAX: 'Oaxaca', PUE: 'Puebla', QUE: 'Querétaro', ROO: 'Quintana Roo', SIN: 'Sinaloa',
    SLP: 'San Luis Potosí', SON: 'Sonora', TAB: 'Tabasco', TAM: 'Tamaulipas', TLA: 'Tlaxcala', VER: 'Veracruz',
    YUC: 'Yucatán', ZAC: 'Zacatecas',
  },
  DE: {
    BB: 'Brandenburg', BE: 'Berlin', BW: 'Baden-Württemberg', BY: 'Bayern', HB: 'Bremen', HE: 'Hessen', HH: 'Hamburg',
    MV: 'Mecklenburg-Vorpommern', NI: 'Niedersachsen', NW: 'Nordrhein-Westfalen', RP: 'Rheinland-Pfalz',
    SH: 'Schleswig-Holstein', SL: 'Saarland', SN: 'Sachsen', ST: 'Sachsen-Anhalt', TH: 'Thüringen',
  },
  IL: { D: 'HaDarom', HA: 'Hefa', JM: 'Yerushalayim Al Quds', M: 'HaMerkaz', TA: 'Tel-Aviv', Z: 'HaZafon' },
};

export interface RegionEntity extends BaseEntity {
  key: string;
  code: string;
  name: string;
  country: string;
}

const REGIONS: RegionEntity[] = Object.entries(REGION_NAMES).flatMap(([country, names]) =>
  Object.entries(names).map(([code, name]) => ({ id: 0, ownerId: 0, organizationId: 0, createdAt: '', updatedAt: '', key: `${country}-${code}`, code, name, country })),
).sort((a, b) => (a.key < b.key ? -1 : 1));

export function regionById(id: string): RegionEntity | null {
  return REGIONS.find((r) => r.key === id) ?? null;
}

export function countryHasRegions(country: string): boolean {
  return country in REGION_NAMES;
}

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });
/** The English country name Oro's messages use ("United States", "Mexico"). */
export function countryName(country: string): string {
  try {
    return COUNTRY_NAMES.of(country) ?? country;
  } catch {
    return country;
  }
}

function serializeRegion(r: RegionEntity, o: SerializeOptions): ResourceObject {
  const out: ResourceObject = { type: 'regions', id: r.key, attributes: { code: r.code, name: r.name }, relationships: { country: { data: { type: 'countries', id: r.country } } } };
  return o.hateoas ? { ...out, links: { self: `${o.base}/api/regions/${r.key}` } } : out;
}

const readOnly = () => {
  throw new Error('read-only');
};

export const regionsResource: ResourceType<RegionEntity> = {
  type: 'regions',
  auditClass: '',
  filters: { id: { kind: 'string', get: (e) => e.key }, country: { kind: 'string', get: (e) => e.country } },
  sorters: { id: (e) => e.key },
  includes: [],
  all: () => REGIONS,
  load: () => null,
  loadByKey: (_db, key) => regionById(key),
  blank: readOnly,
  clone: (e) => e,
  apply: readOnly,
  validate: readOnly,
  save: readOnly,
  remove: readOnly,
  serialize: serializeRegion,
  related: () => [],
  auditView: () => ({}),
  objectName: (e) => e.key,
};
