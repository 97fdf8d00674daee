/**
 * PKCE (RFC 7636) for the OIDC sign-in: a random code verifier and its S256 challenge,
 * BASE64URL(SHA-256(ASCII(verifier))). Only Web Crypto: it runs in the browser and in Node's tests.
 */

/** Base64url without padding (RFC 7636 Appendix A). */
export function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `bytes` random bytes as base64url: 32 bytes give a 43-character verifier (the RFC's minimum length). */
export function randomUrlSafe(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A fresh code verifier: 43 characters of [A-Za-z0-9-_], 256 bits of entropy. */
export const createCodeVerifier = (): string => randomUrlSafe(32);

/** The S256 code challenge of `verifier`. */
export async function codeChallengeS256(verifier: string): Promise<string> {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier))
    throw new Error("a PKCE code verifier is 43 to 128 characters of [A-Za-z0-9-._~]");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}
