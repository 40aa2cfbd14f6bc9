// Build-time Graph settings: webpack's DefinePlugin replaces process.env.ADDIN_GRAPH_* with literals
// (scripts/addin-config.js).
import { buildValue } from './build-value';

/** The Entra application (client) id; empty when the build did not set one (dev uses the emulator). */
export function graphClientId(): string {
  return buildValue(() => process.env.ADDIN_GRAPH_CLIENT_ID);
}

/** The Graph base URL: https://graph.microsoft.com/v1.0 in production, the emulator in dev and tests. */
export function graphBaseUrl(): string {
  return buildValue(() => process.env.ADDIN_GRAPH_URL) || 'https://graph.microsoft.com/v1.0';
}
