// The Content-Security-Policy of the production pages (a <meta> in every HTML page the build emits).
// It allows the add-in's own origin, Office's CDN, the configured CRM and Graph, and Microsoft's sign-in
// (office-addins.md §1 for the CDN, §4 for login.microsoftonline.com); nothing else.
// ADDIN_CSP_EXTRA (space-separated sources) widens connect-src, e.g. for emulators on 127.0.0.1 in tests.
'use strict';

const OFFICE_CDN = 'https://appsforoffice.microsoft.com';
const MICROSOFT_LOGIN = 'https://login.microsoftonline.com';

function originOf(url) {
  return new URL(url).origin;
}

/** The policy as a string for `config` (scripts/addin-config.js); `extra` adds connect-src sources. */
function contentSecurityPolicy(config, extra = '') {
  const extraSources = String(extra)
    .split(/\s+/)
    .filter(Boolean);
  for (const source of extraSources) {
    if (/[;,'"]/.test(source)) throw new Error(`ADDIN_CSP_EXTRA holds an invalid source: ${JSON.stringify(source)}`);
  }
  const unique = (list) => [...new Set(list)];
  const directives = {
    'default-src': ["'self'"],
    'script-src': ["'self'", OFFICE_CDN],
    // Fluent UI injects its styles at run time (merge-styles).
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', OFFICE_CDN],
    'font-src': ["'self'", 'data:'],
    'connect-src': unique(["'self'", originOf(config.crmUrl), originOf(config.graphUrl), MICROSOFT_LOGIN, OFFICE_CDN, ...extraSources]),
    // MSAL's silent renewal (standard client, no NAA) uses a hidden iframe on Microsoft's sign-in.
    'frame-src': ["'self'", MICROSOFT_LOGIN],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** html-webpack-plugin's `meta` option carrying the policy. */
function cspMeta(config, extra) {
  return { 'Content-Security-Policy': { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(config, extra) } };
}

module.exports = { OFFICE_CDN, MICROSOFT_LOGIN, contentSecurityPolicy, cspMeta };
