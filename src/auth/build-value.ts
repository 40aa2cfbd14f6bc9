// Build-time values: webpack's DefinePlugin replaces `process.env.ADDIN_*` (and NODE_ENV) with literals
// (scripts/addin-config.js); a bundle built without one has no `process`, hence the try. Callers pass
// `() => process.env.NAME` spelled out, so DefinePlugin still sees the expression.

/** The value read at build time, or '' when the build did not set it. */
export function buildValue(read: () => string | undefined): string {
  try {
    return read() ?? '';
  } catch {
    return '';
  }
}
