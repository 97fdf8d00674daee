import { describe, expect, it } from "vitest";
import { parseAccountKey } from "../../src/domain/accounts.js";
import { Invalid } from "../../src/domain/errors.js";

describe("account keys", () => {
  it.each([
    ["aws:123456789012", "aws:123456789012", "AWS"],
    ["AWS:123456789012", "aws:123456789012", "AWS"],
    ["gcp:abcdef", "gcp:abcdef", "GCP"],
    [`gcp:${"p".repeat(30)}`, `gcp:${"p".repeat(30)}`, "GCP"],
    ["azure:0A1B2C3D-0000-4000-8000-00000000AAAA", "azure:0a1b2c3d-0000-4000-8000-00000000aaaa", "AZURE"],
    ["onprem:dc1", "onprem:dc1", "ONPREM"],
  ])("accepts %s as %s (%s)", (raw, key, provider) => {
    expect(parseAccountKey("key", raw)).toEqual({ key, provider });
  });

  it.each([
    "123456789012",
    "aws:12345678901",
    "aws:12345678901a",
    "gcp:abcde",
    `gcp:${"p".repeat(31)}`,
    "gcp:1project",
    "gcp:project-",
    "azure:0a1b2c3d00004000800000000000aaaa",
    "onprem:-dc",
    "onprem:DC",
    "k8s:cluster",
  ])("refuses %s naming the field", (raw) => {
    let error: unknown;
    try {
      parseAccountKey("key", raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Invalid);
    expect((error as Invalid).details).toMatchObject({ field: "key", value: raw });
  });
});
