// Build-time Graph settings: webpack's DefinePlugin replaces process.env.ADDIN_GRAPH_* with literals
// (scripts/addin-config.js); a bundle built without them has no `process`, hence the try.

function fromBuild(read: () => string | undefined): string {
  try {
    return read() ?? '';
  } catch {
    return '';
  }
}

/** The Entra application (client) id; empty when the build did not set one (dev uses the emulator). */
export function graphClientId(): string {
  return fromBuild(() => process.env.ADDIN_GRAPH_CLIENT_ID);
}

/** The Graph base URL: https://graph.microsoft.com/v1.0 in production, the emulator in dev and tests. */
export function graphBaseUrl(): string {
  return fromBuild(() => process.env.ADDIN_GRAPH_URL) || 'https://graph.microsoft.com/v1.0';
}
