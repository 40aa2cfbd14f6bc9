// A small, complete region catalog for mapping tests (names as Oro's translations spell them).
import { RegionCatalog, type OroRegion, type RegionPlacement } from '../../src/crm/regions';
import type { ContactRecord, PostalAddress } from '../../src/sync/records';

const region = (country: string, code: string, name: string): OroRegion => ({ id: `${country}-${code}`, code, name, country });

export const TEST_REGIONS: OroRegion[] = [region('US', 'IL', 'Illinois'), region('US', 'CA', 'California'), region('US', 'NY', 'New York'), region('DE', 'BY', 'Bayern'), region('JP', '13', 'Tokyo')];

export const testRegionCatalog = (): RegionCatalog => RegionCatalog.complete(TEST_REGIONS);

/** Where the test catalog puts an address's region (an unmapped state: nowhere). */
export function testPlaceRegion(a: PostalAddress): RegionPlacement {
  const placed = testRegionCatalog().place(a);
  return placed === 'unmapped' ? { region: null, customRegion: null } : placed;
}

/** A canonical contact as Oro reads it back: each state that names a region becomes its code. */
export function withRegionCodes(record: ContactRecord): ContactRecord {
  const out: Record<string, unknown> = { ...record };
  for (const f of ['businessAddress', 'homeAddress', 'otherAddress']) {
    const a = out[f] as PostalAddress | null;
    const placed = a ? testPlaceRegion(a).region : null;
    if (a && placed) out[f] = { ...a, region: placed.slice(placed.indexOf('-') + 1) };
  }
  return out as unknown as ContactRecord;
}
