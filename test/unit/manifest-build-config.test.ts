// Build-time configuration and the production rewrite of the manifest (what webpack.config.js applies).
import { CRM_ORIGIN_PLACEHOLDER, DEV_ADDIN_URL, definedGlobals, manifestForBuild, resolveAddinConfig } from '../../scripts/addin-config';

describe('resolveAddinConfig', () => {
  it('development points the pane at the local emulators and keeps the dev URL', () => {
    expect(resolveAddinConfig('development', {})).toEqual({
      mode: 'development',
      addinUrl: DEV_ADDIN_URL,
      crmUrl: 'http://127.0.0.1:4100',
      graphUrl: 'http://127.0.0.1:4200',
      graphClientId: '',
      crmClientId: 'outlook-addin',
    });
  });

  it('production defaults to the documented placeholder host and the real Microsoft Graph', () => {
    const config = resolveAddinConfig('production', {});
    expect(config.addinUrl).toBe('https://outlook-addin.example.com/');
    expect(config.graphUrl).toBe('https://graph.microsoft.com/v1.0');
  });

  it('environment variables override the defaults; ADDIN_URL gains its trailing slash', () => {
    const config = resolveAddinConfig('production', {
      ADDIN_URL: 'https://addin.contoso.test/outlook',
      ADDIN_CRM_URL: 'https://crm.contoso.test/',
      ADDIN_GRAPH_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
    });
    expect(config.addinUrl).toBe('https://addin.contoso.test/outlook/');
    expect(config.crmUrl).toBe('https://crm.contoso.test');
    expect(config.graphClientId).toBe('11111111-2222-3333-4444-555555555555');
  });

  it('rejects an http ADDIN_URL for production and a malformed URL with a message naming the variable', () => {
    expect(() => resolveAddinConfig('production', { ADDIN_URL: 'http://addin.contoso.test/' })).toThrow(/ADDIN_URL must use https/);
    expect(() => resolveAddinConfig('development', { ADDIN_CRM_URL: 'crm' })).toThrow(/ADDIN_CRM_URL must be an absolute URL/);
  });

  it('exposes the service URLs to the bundle as process.env.* literals', () => {
    expect(definedGlobals(resolveAddinConfig('development', {}))).toEqual({
      'process.env.ADDIN_CRM_URL': '"http://127.0.0.1:4100"',
      'process.env.ADDIN_GRAPH_URL': '"http://127.0.0.1:4200"',
      'process.env.ADDIN_GRAPH_CLIENT_ID': '""',
      'process.env.ADDIN_CRM_CLIENT_ID': '"outlook-addin"',
    });
  });
});

describe('manifestForBuild', () => {
  const xml = `<a><b DefaultValue="${DEV_ADDIN_URL}taskpane.html"/><c DefaultValue="${DEV_ADDIN_URL}assets/icon-16.png"/><AppDomain>${CRM_ORIGIN_PLACEHOLDER}</AppDomain></a>`;

  it('leaves a development manifest untouched', () => {
    expect(manifestForBuild(xml, resolveAddinConfig('development', {}))).toBe(xml);
  });

  it('points every dev URL at ADDIN_URL and the AppDomain at the CRM origin in production', () => {
    const config = resolveAddinConfig('production', { ADDIN_URL: 'https://addin.contoso.test/o/', ADDIN_CRM_URL: 'https://crm.contoso.test/api' });
    expect(manifestForBuild(xml, config)).toBe(
      '<a><b DefaultValue="https://addin.contoso.test/o/taskpane.html"/><c DefaultValue="https://addin.contoso.test/o/assets/icon-16.png"/><AppDomain>https://crm.contoso.test</AppDomain></a>',
    );
  });
});
