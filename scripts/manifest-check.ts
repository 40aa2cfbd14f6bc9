// Offline structural check of the add-in manifest (office-addins.md §2). The official XSDs check element
// types but not cross-references, so this covers what the add-in relies on: Microsoft's element order,
// required elements, resids defined, of the right kind and ≤ 32 characters, unique ids, https URLs (no
// localhost in production) and URLs that resolve to files the build ships, icons at their declared size.
//
//   npx tsx scripts/manifest-check.ts                      manifest.xml against the sources, dev and production
//   npx tsx scripts/manifest-check.ts --dist dist [--production]   a built manifest against the built files
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { attrByLocal, descendants, parseXml, type XmlElement } from './mini-xml';
import { DEV_ADDIN_URL, manifestForBuild, resolveAddinConfig } from './addin-config';

export const NS = {
  app: 'http://schemas.microsoft.com/office/appforoffice/1.1',
  bt: 'http://schemas.microsoft.com/office/officeappbasictypes/1.0',
  vo10: 'http://schemas.microsoft.com/office/mailappversionoverrides',
  vo11: 'http://schemas.microsoft.com/office/mailappversionoverrides/1.1',
} as const;

export interface ManifestCheckOptions {
  /** Production rules: no localhost or loopback URL anywhere. */
  production?: boolean;
  /** Where the built files are served; URLs under it must resolve through `files`. */
  baseUrl?: string;
  /** The contents of the file served at a path relative to baseUrl, or undefined when there is none. */
  files?: (relativePath: string) => Buffer | undefined;
}

interface Slot {
  name: string;
  min?: number; // default 1
  max?: number; // default 1; Infinity for unbounded
  ns?: string;
}

// Orders as documented in docs/develop/manifest-element-ordering.md and the MS-OWEMXML schemas.
export const ORDER = {
  mailApp: [
    { name: 'Id' }, { name: 'AlternateId', min: 0 }, { name: 'Version' }, { name: 'ProviderName' },
    { name: 'DefaultLocale' }, { name: 'DisplayName' }, { name: 'Description' }, { name: 'IconUrl', min: 0 },
    { name: 'HighResolutionIconUrl', min: 0 }, { name: 'SupportUrl', min: 0 }, { name: 'AppDomains', min: 0 },
    { name: 'Hosts', min: 0 }, { name: 'Requirements' }, { name: 'FormSettings' }, { name: 'Permissions', min: 0 },
    { name: 'Rule' }, { name: 'DisableEntityHighlighting', min: 0 }, { name: 'VersionOverrides', min: 0, ns: NS.vo10 },
  ],
  versionOverridesV1_0: [
    { name: 'Description', min: 0 }, { name: 'Requirements', min: 0 }, { name: 'Hosts', min: 0 },
    { name: 'Resources', min: 0 }, { name: 'VersionOverrides', min: 0, ns: NS.vo11 },
  ],
  versionOverridesV1_1: [
    { name: 'Description', min: 0 }, { name: 'Requirements', min: 0 }, { name: 'Hosts' }, { name: 'Resources' },
    { name: 'WebApplicationInfo', min: 0 }, { name: 'EquivalentAddins', min: 0 },
    { name: 'ConnectedServiceControls', min: 0 }, { name: 'ExtendedPermissions', min: 0 },
  ],
  resources: [
    { name: 'Images', min: 0, ns: NS.bt }, { name: 'Urls', min: 0, ns: NS.bt },
    { name: 'ShortStrings', min: 0, ns: NS.bt }, { name: 'LongStrings', min: 0, ns: NS.bt },
  ],
  mailHost: [{ name: 'Runtimes', min: 0 }, { name: 'DesktopFormFactor', min: 0 }, { name: 'MobileFormFactor', min: 0 }],
  formFactor: [{ name: 'FunctionFile', min: 0 }, { name: 'ExtensionPoint', max: Infinity }],
  group: [{ name: 'Label' }, { name: 'Tooltip', min: 0 }, { name: 'Control', max: Infinity }],
  button: [{ name: 'Label' }, { name: 'Supertip' }, { name: 'Icon' }, { name: 'Action' }],
  supertip: [{ name: 'Title' }, { name: 'Description' }],
  showTaskpane: [
    { name: 'SourceLocation' }, { name: 'SupportsPinning', min: 0 }, { name: 'SupportsNoItemContext', min: 0 },
    { name: 'SupportsMultiSelect', min: 0 },
  ],
} satisfies Record<string, Slot[]>;

export const MAX_RESID_LENGTH = 32;
const MAX_SHORT_STRING = 125;
const MAX_LONG_STRING = 250;
const PINNING_MIN_MAILBOX = '1.5';
const PERMISSIONS = ['Restricted', 'ReadItem', 'ReadWriteItem', 'ReadWriteMailbox'];
const LOCAL_HOSTS = /^(localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0)$/i;

type ResourceKind = 'image' | 'url' | 'short' | 'long';
const RESOURCE_GROUPS: Record<string, ResourceKind> = { Images: 'image', Urls: 'url', ShortStrings: 'short', LongStrings: 'long' };
// Which resource kind an element's resid must name.
const RESID_KIND: Record<string, ResourceKind> = {
  Image: 'image', FunctionFile: 'url', SourceLocation: 'url', Label: 'short', Title: 'short', Tooltip: 'short',
  Description: 'long',
};

const where = (el: XmlElement) => `<${el.name}> (line ${el.line})`;
const typeOf = (el: XmlElement) => (attrByLocal(el, 'type') ?? '').replace(/^.*:/, '');
const childrenNamed = (el: XmlElement | undefined, local: string) => el?.children.filter((c) => c.local === local) ?? [];
const child = (el: XmlElement | undefined, local: string) => childrenNamed(el, local)[0];

/** Checks that `el`'s children follow `slots` in order and count. */
export function checkOrder(el: XmlElement, slots: Slot[], problems: string[]): void {
  let slot = 0;
  const counts = new Map<number, number>();
  for (const c of el.children) {
    let at = slot;
    while (at < slots.length && slots[at].name !== c.local) at++;
    if (at === slots.length) {
      const earlier = slots.findIndex((s) => s.name === c.local);
      if (earlier >= 0) {
        const after = el.children[el.children.indexOf(c) - 1];
        problems.push(`${where(c)} is out of order in <${el.name}>: it must come before <${after?.local}> (order: ${slots.map((s) => s.name).join(', ')})`);
      } else {
        problems.push(`${where(c)} is not allowed in <${el.name}> (allowed, in order: ${slots.map((s) => s.name).join(', ')})`);
      }
      continue;
    }
    for (let skipped = slot; skipped < at; skipped++) {
      if ((counts.get(skipped) ?? 0) < (slots[skipped].min ?? 1)) problems.push(`<${el.name}> (line ${el.line}) is missing <${slots[skipped].name}> before <${c.local}>`);
    }
    slot = at;
    const count = (counts.get(at) ?? 0) + 1;
    counts.set(at, count);
    if (count > (slots[at].max ?? 1)) problems.push(`${where(c)}: <${el.name}> allows at most ${slots[at].max ?? 1}`);
    const ns = slots[at].ns;
    if (ns && c.ns !== ns) problems.push(`${where(c)} must be in namespace ${ns}, not ${c.ns || '(none)'}`);
  }
  for (let rest = slot; rest < slots.length; rest++) {
    if ((counts.get(rest) ?? 0) < (slots[rest].min ?? 1)) problems.push(`<${el.name}> (line ${el.line}) is missing <${slots[rest].name}>`);
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** PNG width and height, or undefined when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature)) return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Problems found in the manifest text; an empty list means it passes. */
export function checkManifest(xml: string, options: ManifestCheckOptions = {}): string[] {
  const problems: string[] = [];
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    return [`not well-formed XML: ${(error as Error).message}`];
  }
  if (root.local !== 'OfficeApp' || root.ns !== NS.app) return [`the root must be <OfficeApp xmlns="${NS.app}">, found <${root.name}> in ${root.ns || 'no namespace'}`];
  if (typeOf(root) !== 'MailApp') problems.push(`<OfficeApp> must have xsi:type="MailApp", has "${typeOf(root)}"`);
  checkOrder(root, ORDER.mailApp, problems);

  checkIdentity(root, problems);
  checkLegacySettings(root, problems);
  const v11 = checkVersionOverrides(root, problems);
  if (v11) {
    const resources = collectResources(v11, problems);
    checkResids(v11, resources, problems);
    checkCommandSurface(v11, problems);
    checkUrls(root, resources, options, problems);
  }
  return problems;
}

function checkIdentity(root: XmlElement, problems: string[]): void {
  const id = child(root, 'Id')?.text ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) problems.push(`<Id> must be a GUID, got "${id}"`);
  const version = child(root, 'Version')?.text ?? '';
  if (!/^\d{1,5}(\.\d{1,5}){0,3}$/.test(version)) problems.push(`<Version> must look like 1.0.0.0, got "${version}"`);
  for (const name of ['DisplayName', 'Description']) {
    const el = child(root, name);
    if (el && !el.attrs.DefaultValue?.trim()) problems.push(`${where(el)} needs a non-empty DefaultValue`);
  }
  const hosts = childrenNamed(child(root, 'Hosts'), 'Host');
  if (!hosts.some((h) => h.attrs.Name === 'Mailbox')) problems.push('<Hosts> must contain <Host Name="Mailbox"/>');
}

function checkLegacySettings(root: XmlElement, problems: string[]): void {
  const sets = childrenNamed(child(child(root, 'Requirements'), 'Sets'), 'Set');
  if (!sets.some((s) => s.attrs.Name === 'Mailbox')) problems.push('<Requirements><Sets> must name the Mailbox set');
  const forms = childrenNamed(child(root, 'FormSettings'), 'Form');
  const itemRead = forms.find((f) => typeOf(f) === 'ItemRead');
  if (!itemRead) problems.push('<FormSettings> must contain <Form xsi:type="ItemRead">');
  else if (!child(child(itemRead, 'DesktopSettings'), 'SourceLocation')?.attrs.DefaultValue) {
    problems.push(`${where(itemRead)} needs <DesktopSettings><SourceLocation DefaultValue="..."/>`);
  }
  const permissions = child(root, 'Permissions');
  if (permissions && !PERMISSIONS.includes(permissions.text)) problems.push(`<Permissions> must be one of ${PERMISSIONS.join(', ')}, got "${permissions.text}"`);
}

/** Checks the V1_0 → V1_1 nesting and returns the V1_1 element. */
function checkVersionOverrides(root: XmlElement, problems: string[]): XmlElement | undefined {
  const v10 = child(root, 'VersionOverrides');
  if (!v10) {
    problems.push('<VersionOverrides> (V1_0 wrapping V1_1) is missing: the read-surface button needs it');
    return undefined;
  }
  if (typeOf(v10) !== 'VersionOverridesV1_0') problems.push(`${where(v10)} must have xsi:type="VersionOverridesV1_0"`);
  checkOrder(v10, ORDER.versionOverridesV1_0, problems);
  const v11 = child(v10, 'VersionOverrides');
  if (!v11) {
    problems.push(`${where(v10)} must contain <VersionOverrides xsi:type="VersionOverridesV1_1"> (SupportsPinning exists only in V1_1)`);
    return undefined;
  }
  if (typeOf(v11) !== 'VersionOverridesV1_1') problems.push(`${where(v11)} must have xsi:type="VersionOverridesV1_1"`);
  checkOrder(v11, ORDER.versionOverridesV1_1, problems);
  const resources = child(v11, 'Resources');
  if (resources) checkOrder(resources, ORDER.resources, problems);
  for (const host of childrenNamed(child(v11, 'Hosts'), 'Host')) {
    if (typeOf(host) !== 'MailHost') problems.push(`${where(host)} must have xsi:type="MailHost"`);
    checkOrder(host, ORDER.mailHost, problems);
    for (const formFactor of [child(host, 'DesktopFormFactor'), child(host, 'MobileFormFactor')]) {
      if (formFactor) checkOrder(formFactor, ORDER.formFactor, problems);
    }
  }
  return v11;
}

interface Resource {
  kind: ResourceKind;
  element: XmlElement;
}

function collectResources(v11: XmlElement, problems: string[]): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  for (const group of child(v11, 'Resources')?.children ?? []) {
    const kind = RESOURCE_GROUPS[group.local];
    if (!kind) continue;
    for (const el of group.children) {
      const id = el.attrs.id;
      if (!id) {
        problems.push(`${where(el)} has no id`);
        continue;
      }
      if (id.length > MAX_RESID_LENGTH) problems.push(`resource id "${id}" is ${id.length} characters; the limit is ${MAX_RESID_LENGTH}`);
      if (resources.has(id)) problems.push(`resource id "${id}" is defined twice (${where(resources.get(id)!.element)} and ${where(el)})`);
      const value = el.attrs.DefaultValue ?? '';
      if (!value.trim()) problems.push(`${where(el)} needs a non-empty DefaultValue`);
      if (kind === 'short' && value.length > MAX_SHORT_STRING) problems.push(`short string "${id}" is longer than ${MAX_SHORT_STRING} characters`);
      if (kind === 'long' && value.length > MAX_LONG_STRING) problems.push(`long string "${id}" is longer than ${MAX_LONG_STRING} characters`);
      resources.set(id, { kind, element: el });
    }
  }
  return resources;
}

function checkResids(v11: XmlElement, resources: Map<string, Resource>, problems: string[]): void {
  for (const el of descendants(v11)) {
    const resid = el.attrs.resid;
    if (resid === undefined) continue;
    if (resid.length > MAX_RESID_LENGTH) problems.push(`${where(el)}: resid "${resid}" is ${resid.length} characters; the limit is ${MAX_RESID_LENGTH}`);
    const resource = resources.get(resid);
    if (!resource) {
      problems.push(`${where(el)}: resid "${resid}" is not defined in <Resources>`);
      continue;
    }
    const expected = RESID_KIND[el.local];
    if (expected && resource.kind !== expected) problems.push(`${where(el)}: resid "${resid}" names a ${resource.kind} resource, expected ${expected}`);
  }
  const seen = new Map<string, XmlElement>();
  for (const el of descendants(v11)) {
    if (!['Group', 'Control', 'CustomTab', 'Item'].includes(el.local) || !el.attrs.id) continue;
    const previous = seen.get(el.attrs.id);
    if (previous) problems.push(`id "${el.attrs.id}" is used by both ${where(previous)} and ${where(el)}; ids must be unique`);
    seen.set(el.attrs.id, el);
  }
}

function checkCommandSurface(v11: XmlElement, problems: string[]): void {
  const points = descendants(v11).filter((el) => el.local === 'ExtensionPoint');
  const readSurface = points.find((p) => typeOf(p) === 'MessageReadCommandSurface');
  if (!readSurface) {
    problems.push('no <ExtensionPoint xsi:type="MessageReadCommandSurface">: the add-in needs a read-surface button');
    return;
  }
  for (const el of descendants(v11)) {
    if (el.local === 'Group') checkOrder(el, ORDER.group, problems);
    if (el.local === 'Supertip') checkOrder(el, ORDER.supertip, problems);
    if (el.local === 'Control' && typeOf(el) === 'Button') checkOrder(el, ORDER.button, problems);
    if (el.local === 'Action' && typeOf(el) === 'ShowTaskpane') checkOrder(el, ORDER.showTaskpane, problems);
  }
  const paneButtons = descendants(readSurface).filter(
    (el) => el.local === 'Control' && typeOf(el) === 'Button' && typeOf(child(el, 'Action') ?? el) === 'ShowTaskpane',
  );
  if (!paneButtons.length) problems.push(`${where(readSurface)} has no button whose Action is ShowTaskpane`);
  const pinnable = paneButtons.some((b) => child(child(b, 'Action'), 'SupportsPinning')?.text === 'true');
  if (paneButtons.length && !pinnable) problems.push('the read-surface ShowTaskpane button needs <SupportsPinning>true</SupportsPinning>');
  if (pinnable) {
    const sets = child(child(v11, 'Requirements'), 'Sets');
    const mailbox = childrenNamed(sets, 'Set').find((s) => s.attrs.Name === 'Mailbox');
    const min = mailbox?.attrs.MinVersion ?? sets?.attrs.DefaultMinVersion;
    if (!mailbox || !min || compareVersions(min, PINNING_MIN_MAILBOX) < 0) {
      problems.push(`SupportsPinning needs the V1_1 <Requirements> to ask for Mailbox ≥ ${PINNING_MIN_MAILBOX}, found ${mailbox ? min ?? 'no version' : 'no Mailbox set'}`);
    }
  }
  for (const button of paneButtons) {
    const sizes = childrenNamed(child(button, 'Icon'), 'Image').map((i) => i.attrs.size);
    for (const size of ['16', '32', '80']) {
      if (!sizes.includes(size)) problems.push(`${where(button)} needs an icon of size ${size}`);
    }
  }
}

interface UrlUse {
  url: string;
  where: string;
  /** Icons: the pixel size the image must have. */
  size?: number;
  /** AppDomains are origins, not files. */
  origin?: boolean;
}

function collectUrls(root: XmlElement, resources: Map<string, Resource>): UrlUse[] {
  const uses: UrlUse[] = [];
  const iconSizes: Record<string, number> = { IconUrl: 64, HighResolutionIconUrl: 128 };
  for (const el of descendants(root)) {
    if (['IconUrl', 'HighResolutionIconUrl', 'SupportUrl', 'SourceLocation'].includes(el.local) && el.attrs.DefaultValue !== undefined) {
      uses.push({ url: el.attrs.DefaultValue, where: where(el), size: iconSizes[el.local] });
    }
    if (el.local === 'Override' && el.attrs.Value !== undefined && el.parent && /Url|Image/.test(el.parent.local)) {
      uses.push({ url: el.attrs.Value, where: where(el) });
    }
    if (el.local === 'AppDomain') uses.push({ url: el.text, where: where(el), origin: true });
  }
  for (const { kind, element } of resources.values()) {
    if (kind === 'url' || kind === 'image') uses.push({ url: element.attrs.DefaultValue ?? '', where: where(element) });
  }
  // Each icon reference fixes the size its image must have.
  for (const el of descendants(root)) {
    const resource = el.local === 'Image' && el.attrs.resid ? resources.get(el.attrs.resid) : undefined;
    if (resource?.kind === 'image' && el.attrs.size) {
      uses.push({ url: resource.element.attrs.DefaultValue ?? '', where: `${where(el)} (size ${el.attrs.size})`, size: Number(el.attrs.size) });
    }
  }
  return uses;
}

function checkUrls(root: XmlElement, resources: Map<string, Resource>, options: ManifestCheckOptions, problems: string[]): void {
  const base = options.baseUrl ?? DEV_ADDIN_URL;
  for (const use of collectUrls(root, resources)) {
    let url: URL;
    try {
      url = new URL(use.url);
    } catch {
      problems.push(`${use.where}: "${use.url}" is not an absolute URL`);
      continue;
    }
    if (url.protocol !== 'https:') problems.push(`${use.where}: ${use.url} must use https`);
    if (options.production && LOCAL_HOSTS.test(url.hostname)) problems.push(`${use.where}: ${use.url} points at a local host in a production manifest`);
    if (use.origin || !options.files || !url.href.startsWith(base)) continue;
    const relative = decodeURIComponent(url.pathname.slice(new URL(base).pathname.length));
    const bytes = options.files(relative);
    if (!bytes) {
      problems.push(`${use.where}: ${use.url} resolves to no file the build ships ("${relative}")`);
      continue;
    }
    if (use.size) {
      const size = pngSize(bytes);
      if (!size) problems.push(`${use.where}: ${relative} is not a PNG`);
      else if (size.width !== use.size || size.height !== use.size) {
        problems.push(`${use.where}: ${relative} is ${size.width}x${size.height}, expected ${use.size}x${use.size}`);
      }
    }
  }
}

function readIfFile(path: string): Buffer | undefined {
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path) : undefined;
}

/** The files a built add-in serves, looked up in the sources they are built from (see webpack.config.js). */
export function sourceFiles(repoRoot: string): (relativePath: string) => Buffer | undefined {
  const pages: Record<string, string> = {
    'taskpane.html': 'src/taskpane/taskpane.html',
    'commands.html': 'src/commands/commands.html',
  };
  return (relative) => {
    if (pages[relative]) return readIfFile(join(repoRoot, pages[relative]));
    if (/^assets\/[\w.-]+\.png$/.test(relative)) return readIfFile(join(repoRoot, relative));
    return undefined;
  };
}

/** The files of a finished build in `outDir`. */
export function builtFiles(outDir: string): (relativePath: string) => Buffer | undefined {
  return (relative) => (relative.split('/').includes('..') ? undefined : readIfFile(join(outDir, relative)));
}

function main(argv: string[]): number {
  const flag = (name: string) => argv.indexOf(name);
  const distAt = flag('--dist');
  const production = flag('--production') >= 0;
  const repoRoot = resolve(__dirname, '..');
  const runs: Array<{ label: string; xml: string; options: ManifestCheckOptions }> = [];
  if (distAt >= 0) {
    const outDir = resolve(argv[distAt + 1] ?? 'dist');
    const config = resolveAddinConfig(production ? 'production' : 'development');
    runs.push({
      label: `${join(outDir, 'manifest.xml')} (${config.mode})`,
      xml: readFileSync(join(outDir, 'manifest.xml'), 'utf8'),
      options: { production, baseUrl: config.addinUrl, files: builtFiles(outDir) },
    });
  } else {
    const file = argv.find((a) => !a.startsWith('--')) ?? join(repoRoot, 'manifest.xml');
    const xml = readFileSync(file, 'utf8');
    const prod = resolveAddinConfig('production');
    runs.push({ label: `${file} (development)`, xml, options: { baseUrl: DEV_ADDIN_URL, files: sourceFiles(repoRoot) } });
    runs.push({
      label: `${file} as built for production (ADDIN_URL=${prod.addinUrl})`,
      xml: manifestForBuild(xml, prod),
      options: { production: true, baseUrl: prod.addinUrl, files: sourceFiles(repoRoot) },
    });
  }
  let failed = false;
  for (const run of runs) {
    const problems = checkManifest(run.xml, run.options);
    console.log(problems.length ? `✗ ${run.label}` : `✓ ${run.label}`);
    for (const problem of problems) console.log(`  - ${problem}`);
    failed ||= problems.length > 0;
  }
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
