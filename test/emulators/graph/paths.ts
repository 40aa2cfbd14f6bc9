/** A request path for an absolute link: segments percent-encoded once, `$` kept literal as Graph writes it. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(safeDecode(s)))
    .join('/')
    .replace(/%24/g, '$');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
