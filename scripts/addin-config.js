// Build-time configuration of the add-in: where it is hosted and which services the pane talks to.
// Used by webpack.config.js (DefinePlugin + the manifest transform) and by the manifest tests.
// Plain CommonJS so webpack can load it without a TypeScript loader; types in addin-config.d.ts.
'use strict';

/** Where every URL in manifest.xml points: the dev server, as in Microsoft's templates. */
const DEV_ADDIN_URL = 'https://localhost:3000/';
/** The AppDomains placeholder in manifest.xml, replaced by the CRM's origin in production. */
const CRM_ORIGIN_PLACEHOLDER = 'https://crm.example.com';

const DEFAULTS = {
  development: {
    ADDIN_URL: DEV_ADDIN_URL,
    ADDIN_CRM_URL: 'http://127.0.0.1:4100',
    ADDIN_GRAPH_URL: 'http://127.0.0.1:4200',
    ADDIN_GRAPH_CLIENT_ID: '',
    ADDIN_CRM_CLIENT_ID: 'outlook-addin',
  },
  production: {
    ADDIN_URL: 'https://outlook-addin.example.com/',
    ADDIN_CRM_URL: 'https://crm.example.com',
    ADDIN_GRAPH_URL: 'https://graph.microsoft.com/v1.0',
    ADDIN_GRAPH_CLIENT_ID: '',
    // The client id Oro generated for the add-in's OAuth application (docs/setup.md).
    ADDIN_CRM_CLIENT_ID: 'outlook-addin',
  },
};

function parseUrl(name, value) {
  try {
    return new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
}

/**
 * The configuration for a webpack mode ('development' | 'production'), each value overridable by the
 * environment variable of the same name. Rejects values that would produce a broken add-in.
 */
function resolveAddinConfig(mode, env = process.env) {
  const defaults = DEFAULTS[mode];
  if (!defaults) throw new Error(`unknown build mode ${JSON.stringify(mode)}: expected development or production`);
  const pick = (name) => (env[name] !== undefined && env[name].trim() !== '' ? env[name].trim() : defaults[name]);

  const addinUrl = parseUrl('ADDIN_URL', pick('ADDIN_URL'));
  if (mode === 'production' && addinUrl.protocol !== 'https:') {
    throw new Error(`ADDIN_URL must use https (Office loads add-ins over https only), got ${addinUrl.href}`);
  }
  if (addinUrl.search || addinUrl.hash) throw new Error(`ADDIN_URL must not have a query or fragment, got ${addinUrl.href}`);
  const crmUrl = parseUrl('ADDIN_CRM_URL', pick('ADDIN_CRM_URL'));
  const graphUrl = parseUrl('ADDIN_GRAPH_URL', pick('ADDIN_GRAPH_URL'));

  return {
    mode,
    // Always ends with "/" so "<addinUrl>taskpane.html" is right however it was written.
    addinUrl: addinUrl.href.endsWith('/') ? addinUrl.href : `${addinUrl.href}/`,
    crmUrl: stripTrailingSlash(crmUrl.href),
    graphUrl: stripTrailingSlash(graphUrl.href),
    graphClientId: pick('ADDIN_GRAPH_CLIENT_ID'),
    crmClientId: pick('ADDIN_CRM_CLIENT_ID'),
  };
}

function stripTrailingSlash(url) {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** The `process.env.*` globals the bundle sees (webpack DefinePlugin definitions). */
function definedGlobals(config) {
  return {
    'process.env.ADDIN_CRM_URL': JSON.stringify(config.crmUrl),
    'process.env.ADDIN_GRAPH_URL': JSON.stringify(config.graphUrl),
    'process.env.ADDIN_GRAPH_CLIENT_ID': JSON.stringify(config.graphClientId),
    'process.env.ADDIN_CRM_CLIENT_ID': JSON.stringify(config.crmClientId),
  };
}

/**
 * manifest.xml as the given build should ship it. Development keeps it as written; production points
 * every dev URL at ADDIN_URL and the AppDomains placeholder at the CRM's origin.
 */
function manifestForBuild(xml, config) {
  if (config.mode !== 'production') return xml;
  return xml
    .split(DEV_ADDIN_URL)
    .join(config.addinUrl)
    .split(CRM_ORIGIN_PLACEHOLDER)
    .join(new URL(config.crmUrl).origin);
}

module.exports = { DEV_ADDIN_URL, CRM_ORIGIN_PLACEHOLDER, DEFAULTS, resolveAddinConfig, definedGlobals, manifestForBuild };
