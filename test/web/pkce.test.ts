/** The UI's PKCE helper (web/src/lib/pkce.ts) against RFC 7636 Appendix B, and its verifiers' shape. */
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { base64Url, codeChallengeS256, createCodeVerifier } from "../../web/src/lib/pkce.js";

describe("PKCE S256 (RFC 7636)", () => {
  it("gives Appendix B's challenge for Appendix B's verifier", async () => {
    expect(await codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("base64url-encodes Appendix B's octets to its verifier", () => {
    const octets = [
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214,
      191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    expect(base64Url(new Uint8Array(octets))).toBe("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  });

  it("makes fresh 43-character verifiers whose challenge matches Node's SHA-256", async () => {
    const a = createCodeVerifier();
    const b = createCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await codeChallengeS256(a)).toBe(createHash("sha256").update(a).digest("base64url"));
  });

  it("refuses a verifier the RFC does not allow", async () => {
    await expect(codeChallengeS256("too-short")).rejects.toThrow(/43 to 128/);
    await expect(codeChallengeS256("x".repeat(42) + "!")).rejects.toThrow(/43 to 128/);
  });
});
