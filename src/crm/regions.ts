// Oro's regions, and Outlook's free-text state mapped onto them.
//
// Oro keeps a predefined list of regions for most countries (platform AddressBundle countries.yml) and
// refuses a `customRegion` for such a country (`region text constraint`), a region of another country
// (`valid region constraint`) and a region id it does not have (`form constraint`). Outlook's `state` is
// free text. So a contact address goes to Oro as:
//   - the country's region whose code, name or id matches the text (case, accents and spacing ignored),
//     e.g. "NY", "new york", "US-NY" → `US-NY`;
//   - `customRegion` = the text, when the country has no predefined regions;
//   - no region at all when the text matches none of the country's regions: the rest of the address
//     lands and the CRM side reports the state as not synced (the Outlook item keeps it).
// Reading back, a region is its code ("NY"), so code → Oro → code is exact; a name written from Outlook
// reads back as the code once the record next comes from Oro (one rewrite, then stable: no echo loop).
import type { ContactRecord, PostalAddress } from '../sync/records';
import type { WriteOp } from '../sync/side';

export interface OroRegion {
  id: string;
  code: string;
  name: string;
  country: string;
}

/** What an address's region becomes in Oro. */
export type RegionPlacement = { region: string | null; customRegion: string | null };

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s.]+/g, ' ')
    .trim();

/** The regions of the countries asked for so far, read from Oro once per side. */
export class RegionCatalog {
  private readonly byCountry = new Map<string, OroRegion[]>();
  private complete = false;

  constructor(private readonly fetchRegions: (countries: string[]) => Promise<OroRegion[]>) {}

  /** A catalog that holds every region there is (tests): a country not in it has none. */
  static complete(regions: OroRegion[]): RegionCatalog {
    const catalog = new RegionCatalog(async () => []);
    for (const r of regions) catalog.byCountry.set(r.country, [...(catalog.byCountry.get(r.country) ?? []), r]);
    catalog.complete = true;
    return catalog;
  }

  /** Reads the regions of the countries not known yet (one request for all of them). */
  async load(countries: Iterable<string | null>): Promise<void> {
    const missing = [...new Set([...countries].filter((c): c is string => c !== null && !this.byCountry.has(c)))];
    if (!missing.length) return;
    const regions = await this.fetchRegions(missing);
    for (const c of missing) this.byCountry.set(c, regions.filter((r) => r.country === c));
  }

  /** Where a canonical address's region goes in Oro; `unmapped` when the country's regions have no match. */
  place(a: Pick<PostalAddress, 'country' | 'region'>): RegionPlacement | 'unmapped' {
    if (a.region === null) return { region: null, customRegion: null };
    // Without a country Oro refuses the address anyway (not blank); the text rides along unchanged.
    if (a.country === null) return { region: null, customRegion: a.region };
    const regions = this.byCountry.get(a.country) ?? (this.complete ? [] : undefined);
    if (regions === undefined) throw new Error(`The regions of ${a.country} were not loaded.`);
    if (!regions.length) return { region: null, customRegion: a.region };
    const text = fold(a.region);
    const match = regions.find((r) => fold(r.code) === text || fold(r.id) === text) ?? regions.find((r) => fold(r.name) === text);
    return match ? { region: match.id, customRegion: null } : 'unmapped';
  }
}

/** A region id read from Oro as the state text Outlook shows: its code. */
export function regionText(regionId: string, country: string | null): string {
  return country && regionId.startsWith(`${country}-`) ? regionId.slice(country.length + 1) : regionId;
}

const ADDRESS_FIELDS = ['businessAddress', 'homeAddress', 'otherAddress'] as const;
type AddressField = (typeof ADDRESS_FIELDS)[number];

/** The countries of the addresses a contact write sends. */
export function countriesOf(op: WriteOp<ContactRecord>): Array<string | null> {
  if (op.op === 'delete') return [];
  return ADDRESS_FIELDS.filter((f) => op.op === 'create' || !op.fields || op.fields.includes(f)).map((f) => op.record[f]?.country ?? null);
}

/**
 * A contact write whose states Oro has no region for: those addresses are sent without their state
 * (`regionless`, with what Oro will hold in `kept`), the rest unchanged. The caller reports them.
 */
export function fitRegions(op: WriteOp<ContactRecord>, catalog: RegionCatalog): { op: WriteOp<ContactRecord>; regionless: AddressField[]; kept: Partial<Record<AddressField, PostalAddress>>; states: string[] } {
  if (op.op === 'delete') return { op, regionless: [], kept: {}, states: [] };
  const record = { ...op.record };
  const regionless: AddressField[] = [];
  const kept: Partial<Record<AddressField, PostalAddress>> = {};
  const states: string[] = [];
  for (const f of ADDRESS_FIELDS) {
    const a = record[f];
    if (!a || (op.op === 'update' && op.fields && !op.fields.includes(f)) || catalog.place(a) !== 'unmapped') continue;
    record[f] = kept[f] = { ...a, region: null };
    regionless.push(f);
    states.push(`"${a.region}" (${a.country})`);
  }
  return { op: regionless.length ? { ...op, record } : op, regionless, kept, states };
}
