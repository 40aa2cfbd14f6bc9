// PKCE (RFC 7636) with S256, the only method Oro documents (oro-api.md §6), and the `state` value
// that ties an authorize answer to the request that asked for it. Web Crypto only: browsers and Node 20.

export interface PkcePair {
  /** Stays in the pane; sent only with the code exchange. */
  verifier: string;
  /** BASE64URL(SHA-256(verifier)), sent to /authorize. */
  challenge: string;
  method: 'S256';
}

function webCrypto(): Crypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle || typeof c.getRandomValues !== 'function') throw new Error('Web Crypto is not available here; PKCE needs crypto.subtle.');
  return c;
}

export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `byteCount` random bytes, base64url: 32 bytes give 43 characters, the RFC's minimum verifier length. */
export function randomUrlSafe(byteCount = 32, crypto: Crypto = webCrypto()): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

export async function s256Challenge(verifier: string, crypto: Crypto = webCrypto()): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export async function createPkcePair(crypto: Crypto = webCrypto()): Promise<PkcePair> {
  const verifier = randomUrlSafe(32, crypto);
  return { verifier, challenge: await s256Challenge(verifier, crypto), method: 'S256' };
}

/** An unguessable `state`; compared exactly on return. */
export function createState(crypto: Crypto = webCrypto()): string {
  return randomUrlSafe(16, crypto);
}
