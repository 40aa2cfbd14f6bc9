// Countries: Oro keeps an ISO 3166-1 alpha-2 id and refuses anything else, while Outlook keeps
// whatever the user typed ("Germany"). Canonical records hold the code whenever the text names a
// country, so a typed name syncs instead of failing as an invalid Oro address.

const ENGLISH = new Intl.DisplayNames(['en'], { type: 'region' });

/** ISO2 code → English name, for every code the runtime's ICU knows as a country or territory. */
const NAME_BY_CODE = new Map<string, string>();
/** Lower-cased English name → ISO2 code. */
const CODE_BY_NAME = new Map<string, string>();

for (let a = 65; a <= 90; a++) {
  for (let b = 65; b <= 90; b++) {
    const code = String.fromCharCode(a, b);
    const name = ENGLISH.of(code);
    // ICU answers the code itself (or "Unknown Region") for codes that are not countries.
    if (!name || name === code || code === 'ZZ' || code === 'EU' || code === 'UN' || code === 'EZ' || code === 'QO') continue;
    // A few retired codes share a name with the current one (FX "France"): the first, current code keeps it.
    if (CODE_BY_NAME.has(name.toLowerCase())) continue;
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
