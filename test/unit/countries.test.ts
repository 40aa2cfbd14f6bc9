import { canonicalCountry, countryDisplayName, knownCountryCodes } from '../../src/sync/countries';

describe('country names and codes', () => {
  test('an English country name typed in Outlook becomes its ISO code, whatever its case', () => {
    expect(canonicalCountry('Germany')).toBe('DE');
    expect(canonicalCountry(' united states ')).toBe('US');
    expect(canonicalCountry('NORWAY')).toBe('NO');
  });

  test('an ISO code stays a code; unknown text is kept as typed, never dropped', () => {
    expect(canonicalCountry('JP')).toBe('JP');
    expect(canonicalCountry('Atlantis')).toBe('Atlantis');
    expect(canonicalCountry('XY')).toBe('XY');
    expect(canonicalCountry(null)).toBeNull();
  });

  test('Outlook shows a known code as its English name and anything else as it is', () => {
    expect(countryDisplayName('DE')).toBe('Germany');
    expect(countryDisplayName('Atlantis')).toBe('Atlantis');
    expect(countryDisplayName(null)).toBeNull();
  });

  test('name → code → name is stable for every known code', () => {
    expect(knownCountryCodes().length).toBeGreaterThan(200);
    for (const code of knownCountryCodes()) {
      expect(canonicalCountry(countryDisplayName(code))).toBe(code);
    }
  });
});
