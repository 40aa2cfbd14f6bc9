// Countries: Oro keeps an ISO 3166-1 alpha-2 id and refuses anything else, while Outlook keeps
// whatever the user typed ("Germany"). Canonical records hold the code whenever the text names a
// country, so a typed name syncs instead of failing as an invalid Oro address.

const ENGLISH = new Intl.DisplayNames(['en'], { type: 'region' });

/** Codes ICU names that are not current countries: retired (DD "Germany", FX "France"), reserved or groupings. */
const NOT_COUNTRIES = new Set(['AN', 'BU', 'CS', 'DD', 'DY', 'FX', 'HV', 'NH', 'NT', 'RH', 'SU', 'TP', 'UK', 'VD', 'YD', 'YU', 'ZR', 'AC', 'CP', 'DG', 'EA', 'IC', 'TA', 'EU', 'EZ', 'UN', 'QO', 'ZZ']);

/** ISO2 code → English name, for every code the runtime's ICU knows as a country or territory. */
const NAME_BY_CODE = new Map<string, string>();
/** Lower-cased English name → ISO2 code. */
const CODE_BY_NAME = new Map<string, string>();

for (let a = 65; a <= 90; a++) {
  for (let b = 65; b <= 90; b++) {
    const code = String.fromCharCode(a, b);
    const name = ENGLISH.of(code);
    // ICU answers the code itself (or "Unknown Region") for codes that are not countries.
    if (!name || name === code || NOT_COUNTRIES.has(code)) continue;
    NAME_BY_CODE.set(code, name);
    CODE_BY_NAME.set(name.toLowerCase(), code);
  }
}

/** Every ISO2 code known here. */
export function knownCountryCodes(): string[] {
  return [...NAME_BY_CODE.keys()];
}

/** The canonical form of a country: its ISO2 code when `text` is a code or an English country name, else `text` unchanged. */
export function canonicalCountry(text: string | null): string | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (NAME_BY_CODE.has(trimmed)) return trimmed;
  return CODE_BY_NAME.get(trimmed.toLowerCase()) ?? text;
}

/** How Outlook shows a canonical country: the English name for a known code, else the text as it is. */
export function countryDisplayName(country: string | null): string | null {
  if (country === null) return null;
  return NAME_BY_CODE.get(country) ?? country;
}
