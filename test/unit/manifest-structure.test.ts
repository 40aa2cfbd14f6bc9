// The committed manifest passes the offline structural check, in its dev form and as the production build
// rewrites it; and the check really catches each kind of mistake it claims to.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkManifest, sourceFiles, type ManifestCheckOptions } from '../../scripts/manifest-check';
import { DEV_ADDIN_URL, manifestForBuild, resolveAddinConfig } from '../../scripts/addin-config';

const repoRoot = join(__dirname, '..', '..');
const manifest = readFileSync(join(repoRoot, 'manifest.xml'), 'utf8');
const devOptions: ManifestCheckOptions = { baseUrl: DEV_ADDIN_URL, files: sourceFiles(repoRoot) };
const prodConfig = resolveAddinConfig('production', { ADDIN_URL: 'https://addin.contoso.test/outlook/', ADDIN_CRM_URL: 'https://crm.contoso.test/' });
const prodOptions: ManifestCheckOptions = { production: true, baseUrl: prodConfig.addinUrl, files: sourceFiles(repoRoot) };

/** The manifest with one textual edit; fails loudly if the edit doesn't apply, so tests can't pass vacuously. */
function edited(from: string | RegExp, to: string): string {
  const result = manifest.replace(from, to);
  if (result === manifest) throw new Error(`edit not applied: ${String(from)}`);
  return result;
}

describe('manifest.xml', () => {
  it('passes the structural check as committed (dev URLs resolve to the sources the build ships)', () => {
    expect(checkManifest(manifest, devOptions)).toEqual([]);
  });

  it('passes the production rules once the build rewrites it: https only, no localhost, files still resolve', () => {
    const production = manifestForBuild(manifest, prodConfig);
    expect(checkManifest(production, prodOptions)).toEqual([]);
    expect(production).not.toMatch(/localhost|127\.0\.0\.1/);
    expect(production).toContain('https://addin.contoso.test/outlook/taskpane.html');
    expect(production).toContain('<AppDomain>https://crm.contoso.test</AppDomain>');
  });

  it('the dev manifest fails the production rules (so the rewrite is what makes a shippable manifest)', () => {
    const problems = checkManifest(manifest, { production: true });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.includes('local host'))).toBe(true);
  });

  it('declares a pinnable ShowTaskpane button on the message read surface, with Mailbox 1.5 in V1_1', () => {
    expect(manifest).toMatch(/xsi:type="MessageReadCommandSurface"/);
    expect(manifest).toMatch(/<Action xsi:type="ShowTaskpane">\s*<SourceLocation resid="Taskpane.Url"\/>\s*<SupportsPinning>true<\/SupportsPinning>/);
    expect(manifest).toMatch(/<bt:Sets DefaultMinVersion="1.5">\s*<bt:Set Name="Mailbox"\/>/);
  });
});

describe('the structural check catches', () => {
  const problemsOf = (xml: string, options = devOptions) => checkManifest(xml, options).join('\n');

  it('XML that is not well formed', () => {
    expect(problemsOf(edited('</Hosts>', '</Host>'))).toMatch(/not well-formed XML/);
  });

  it('OfficeApp children out of Microsoft\'s order', () => {
    const swapped = edited(/(\s*<Permissions>ReadItem<\/Permissions>)([\s\S]*?<\/Rule>)/, '$2$1');
    expect(problemsOf(swapped)).toMatch(/<Permissions> .* is out of order in <OfficeApp>/);
  });

  it('V1_1 children out of order (Resources before Hosts)', () => {
    const v11Start = manifest.indexOf('<Hosts>', manifest.indexOf('VersionOverridesV1_1'));
    const hostsEnd = manifest.indexOf('</Hosts>', v11Start) + '</Hosts>'.length;
    const resourcesStart = manifest.indexOf('<Resources>', hostsEnd);
    const resourcesEnd = manifest.indexOf('</Resources>') + '</Resources>'.length;
    const swapped =
      manifest.slice(0, v11Start) +
      manifest.slice(resourcesStart, resourcesEnd) +
      manifest.slice(hostsEnd, resourcesStart) +
      manifest.slice(v11Start, hostsEnd) +
      manifest.slice(resourcesEnd);
    expect(problemsOf(swapped)).toMatch(/<Hosts> .* is out of order in <VersionOverrides>/);
  });

  it('a missing required element', () => {
    expect(problemsOf(edited(/\s*<ProviderName>.*<\/ProviderName>/, ''))).toMatch(/missing <ProviderName>/);
  });

  it('a resid that no resource defines', () => {
    expect(problemsOf(edited('resid="Taskpane.Url"', 'resid="Taskpane.Missing"'))).toMatch(/resid "Taskpane.Missing" is not defined/);
  });

  it('a resid longer than 32 characters', () => {
    const long = 'Taskpane.Url.ThatIsFarTooLongForOffice';
    const xml = edited('resid="Taskpane.Url"', `resid="${long}"`).replace('id="Taskpane.Url"', `id="${long}"`);
    expect(problemsOf(xml)).toMatch(/resid "Taskpane.Url.ThatIsFarTooLongForOffice" is 38 characters; the limit is 32/);
  });

  it('a resid naming the wrong kind of resource', () => {
    expect(problemsOf(edited('<Label resid="GroupLabel"/>', '<Label resid="Taskpane.Url"/>'))).toMatch(/names a url resource, expected short/);
  });

  it('duplicate resource ids and duplicate control ids', () => {
    const dupResource = edited('<bt:Url id="Commands.Url"', '<bt:Url id="Taskpane.Url"');
    expect(problemsOf(dupResource)).toMatch(/resource id "Taskpane.Url" is defined twice/);
    const dupControl = edited('id="msgReadOpenPaneButton"', 'id="msgReadGroup"');
    expect(problemsOf(dupControl)).toMatch(/id "msgReadGroup" is used by both/);
  });

  it('a pane button without SupportsPinning, or pinning with Mailbox below 1.5', () => {
    expect(problemsOf(edited(/\s*<SupportsPinning>true<\/SupportsPinning>/, ''))).toMatch(/needs <SupportsPinning>true/);
    expect(problemsOf(edited('DefaultMinVersion="1.5"', 'DefaultMinVersion="1.3"'))).toMatch(/Mailbox ≥ 1.5/);
  });

  it('an http URL, and a localhost URL in production', () => {
    expect(problemsOf(edited('https://localhost:3000/commands.html', 'http://localhost:3000/commands.html'))).toMatch(/must use https/);
    const production = manifestForBuild(manifest, prodConfig).replace('https://addin.contoso.test/outlook/commands.html', 'https://127.0.0.1/commands.html');
    expect(checkManifest(production, prodOptions).join('\n')).toMatch(/points at a local host in a production manifest/);
  });

  it('a URL that resolves to no built file, and an icon of the wrong size', () => {
    expect(problemsOf(edited('assets/icon-80.png', 'assets/icon-81.png'))).toMatch(/resolves to no file the build ships \("assets\/icon-81.png"\)/);
    expect(problemsOf(edited('https://localhost:3000/assets/icon-128.png', 'https://localhost:3000/assets/icon-64.png'))).toMatch(/icon-64.png is 64x64, expected 128x128/);
  });

  it('a V1_0 VersionOverrides without the nested V1_1', () => {
    const start = manifest.indexOf('<VersionOverrides xmlns="http://schemas.microsoft.com/office/mailappversionoverrides/1.1"');
    const end = manifest.indexOf('</VersionOverrides>') + '</VersionOverrides>'.length;
    expect(problemsOf(manifest.slice(0, start) + manifest.slice(end))).toMatch(/must contain <VersionOverrides xsi:type="VersionOverridesV1_1">/);
  });
});
