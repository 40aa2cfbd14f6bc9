// The production manifest and the pages' Content-Security-Policy for real sign-in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveAddinConfig, manifestForBuild } from '../../scripts/addin-config';
import { contentSecurityPolicy, cspMeta } from '../../scripts/addin-csp';
import { checkManifest, sourceFiles } from '../../scripts/manifest-check';

const ROOT = join(__dirname, '..', '..');
const source = readFileSync(join(ROOT, 'manifest.xml'), 'utf8');

function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy.split(';').map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('production manifest', () => {
  const config = resolveAddinConfig('production', { ADDIN_URL: 'https://addin.contoso.test/', ADDIN_CRM_URL: 'https://crm.contoso.test/oro' });
  const built = manifestForBuild(source, config);

  test('passes the offline validation with production rules and has no localhost URL', () => {
    expect(checkManifest(built, { production: true, baseUrl: config.addinUrl, files: sourceFiles(ROOT) })).toEqual([]);
    expect(built).not.toMatch(/localhost|127\.0\.0\.1/);
  });

  test('AppDomains name the CRM origin and Microsoft sign-in for the dialogs, nothing else', () => {
    const domains = [...built.matchAll(/<AppDomain>([^<]+)<\/AppDomain>/g)].map((m) => m[1]);
    expect(domains).toEqual(['https://crm.contoso.test', 'https://login.microsoftonline.com']);
  });
});

describe('Content-Security-Policy', () => {
  const config = resolveAddinConfig('production', { ADDIN_CRM_URL: 'https://crm.contoso.test/oro', ADDIN_GRAPH_URL: 'https://graph.microsoft.com/v1.0' });

  test('allows only the add-in, Office\'s CDN, the configured CRM and Graph, and Microsoft sign-in', () => {
    const d = directives(contentSecurityPolicy(config));
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['script-src']).toEqual(["'self'", 'https://appsforoffice.microsoft.com']);
    expect(d['connect-src']).toEqual(["'self'", 'https://crm.contoso.test', 'https://graph.microsoft.com', 'https://login.microsoftonline.com', 'https://appsforoffice.microsoft.com']);
    expect(d['frame-src']).toEqual(["'self'", 'https://login.microsoftonline.com']);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(contentSecurityPolicy(config)).not.toMatch(/localhost|127\.0\.0\.1|\*/);
  });

  test('extra connect sources are opt-in and checked', () => {
    expect(directives(contentSecurityPolicy(config, 'http://127.0.0.1:*'))['connect-src']).toContain('http://127.0.0.1:*');
    expect(() => contentSecurityPolicy(config, "https://x; script-src 'unsafe-eval'")).toThrow('ADDIN_CSP_EXTRA');
  });

  test('is emitted as an http-equiv meta for html-webpack-plugin', () => {
    expect(cspMeta(config)['Content-Security-Policy']).toEqual({ 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(config) });
  });
});
