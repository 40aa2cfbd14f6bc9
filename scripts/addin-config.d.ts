// Types for scripts/addin-config.js (plain CommonJS so webpack.config.js can require it).
export type BuildMode = 'development' | 'production';

export interface AddinConfig {
  mode: BuildMode;
  /** Where the built files are served; always ends with "/". */
  addinUrl: string;
  /** Default CRM base URL offered by the pane (process.env.ADDIN_CRM_URL). */
  crmUrl: string;
  /** Microsoft Graph base URL (process.env.ADDIN_GRAPH_URL). */
  graphUrl: string;
  /** Entra application (client) id for msal; empty until configured (process.env.ADDIN_GRAPH_CLIENT_ID). */
  graphClientId: string;
  /** Oro OAuth application client id for the PKCE sign-in (process.env.ADDIN_CRM_CLIENT_ID). */
  crmClientId: string;
}

type EnvName = 'ADDIN_URL' | 'ADDIN_CRM_URL' | 'ADDIN_GRAPH_URL' | 'ADDIN_GRAPH_CLIENT_ID' | 'ADDIN_CRM_CLIENT_ID';

export const DEV_ADDIN_URL: string;
export const CRM_ORIGIN_PLACEHOLDER: string;
export const DEFAULTS: Record<BuildMode, Record<EnvName, string>>;
export function resolveAddinConfig(mode: BuildMode, env?: NodeJS.ProcessEnv): AddinConfig;
export function definedGlobals(config: AddinConfig): Record<string, string>;
export function manifestForBuild(xml: string, config: AddinConfig): string;
