/**
 * Provider contract suite: the same behaviour asked of AwsProvider and GcpProvider, run through the
 * real SDK clients against the loopback emulators (always), and optionally against a real account.
 *
 * Real-account runs are opt-in and skipped unless these are set (credentials come from the SDKs'
 * default chains: AWS env/profile/IRSA, GCP Application Default Credentials):
 *   AWS:  CLOUDPAM_TEST_AWS_REGION   comma-separated regions to scan, e.g. "us-east-1,eu-west-1"
 *         CLOUDPAM_TEST_AWS_ROLE_ARN optional role to assume
 *         CLOUDPAM_TEST_AWS_VPC_ID   + CLOUDPAM_TEST_AWS_CIDR (a free IPv4 /28 in that VPC, first region)
 *                                    enable the create/find/delete test; nothing else is written.
 *   GCP:  CLOUDPAM_TEST_GCP_PROJECT  project id
 *         CLOUDPAM_TEST_GCP_REGION   region for the create test
 *         CLOUDPAM_TEST_GCP_NETWORK  + CLOUDPAM_TEST_GCP_CIDR (a free IPv4 /29 in that network)
 *                                    enable the create/find/delete test.
 * Emulator-only tests (seeded data, throttling, lost answers) are skipped in real-account runs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { providerCallDuration } from "../../src/metrics.js";
import { ProviderError, RetryExhaustedError, UnmanagedResourceError } from "../../src/providers/errors.js";
import type { CloudCidr, CloudSubnet, CloudVpc, Provider, SubnetRef } from "../../src/providers/types.js";

/** Provider-neutral names of the calls the suite counts. */
export type CallKind = "listVpcs" | "listSubnets" | "lookup" | "create" | "delete";

export interface SeedExpectations {
  regions: string[];
  vpcIds: string[];
  subnetIds: string[];
  /** A VPC whose CIDRs the suite checks exactly (order-insensitive; `name` ignored unless given). */
  richVpc: { id: string; cidrs: CloudCidr[] };
  /** A subnet with IPv6 (and, on GCP, a secondary range). */
  richSubnet: { id: string; cidrs: CloudCidr[] };
  /** VPC where the suite creates subnets, its region, and free IPv4 ranges in it. */
  createIn: { vpcId: string; region: string; freeCidrs: string[] };
  /** An existing subnet without CloudPAM's marker. */
  unmanaged: SubnetRef;
}

export interface EmulatorControl {
  seed(): Promise<SeedExpectations> | SeedExpectations;
  /** Next `n` calls of `kind` fail with the cloud's throttling error. */
  throttleNext(n: number, kind: CallKind): void;
  /** Next `n` calls of `kind` fail with a transient 503. */
  unavailableNext(n: number, kind: CallKind): void;
  /** Next `kind` call fails with a non-retryable authorization error. */
  denyNext(kind: CallKind): void;
  /** The next create takes effect, then its answer is lost (500). */
  loseNextCreateAnswer(): void;
  /** Calls of `kind` so far (since the last reset), optionally only the throttled ones. */
  calls(kind: CallKind, opts?: { throttled?: boolean; failed?: boolean }): number;
  /** How many subnets in the emulator carry this allocation id. */
  subnetsWithAllocation(allocationId: string): number;
  subnetExists(ref: SubnetRef): boolean;
  reset(): void;
}

export interface ContractFixture {
  provider: Provider;
  /** Emulator runs provide control; real-account runs do not. */
  emulator?: EmulatorControl;
  /** Retry attempts the provider was configured with. */
  maxAttempts: number;
  /** Real-account runs: where a create may happen (undefined: skip create tests). */
  real?: { createIn?: { vpcId: string; region: string; cidr: string } };
  close(): Promise<void>;
}

const norm = (cs: CloudCidr[], withNames: boolean) =>
  cs
    .map((c) => ({
      cidr: c.cidr,
      family: c.family,
      role: c.role,
      ...(withNames && c.name !== undefined ? { name: c.name } : {}),
    }))
    .sort((a, b) => (a.cidr < b.cidr ? -1 : 1));

async function histogramCount(provider: string, outcome?: string): Promise<number> {
  const m = await providerCallDuration.get();
  let n = 0;
  for (const v of m.values) {
    if (!v.metricName?.endsWith("_count")) continue;
    if (v.labels.provider !== provider) continue;
    if (outcome !== undefined && v.labels.outcome !== outcome) continue;
    n += v.value;
  }
  return n;
}

export function providerContract(
  title: string,
  setup: () => Promise<ContractFixture>,
  opts: { emulated: boolean },
): void {
  const emuIt = opts.emulated ? it : it.skip;

  describe(title, () => {
    let fx: ContractFixture;
    let p: Provider;
    let seed: SeedExpectations | undefined;
    let allocSeq = 0;
    const alloc = () => `alloc-${process.pid}-${Date.now().toString(36)}-${++allocSeq}`;

    beforeAll(async () => {
      fx = await setup();
      p = fx.provider;
      seed = fx.emulator ? await fx.emulator.seed() : undefined;
    });
    afterAll(async () => {
      await fx?.close();
    });
    beforeEach(() => fx.emulator?.reset());

    it("validate() succeeds with working credentials", async () => {
      await expect(p.validate()).resolves.toBeUndefined();
    });

    it("lists VPCs as well-formed records", async () => {
      const vpcs = await p.listVpcs();
      for (const v of vpcs) {
        expect(v.provider).toBe(p.name);
        expect(v.id).toBeTruthy();
        for (const c of v.cidrs) expect(c.family).toBe(c.cidr.includes(":") ? 6 : 4);
      }
    });

    emuIt("lists every VPC across >= 2 regions, following pagination", async () => {
      const vpcs = await p.listVpcs();
      expect(vpcs.map((v) => v.id).sort()).toEqual([...seed!.vpcIds].sort());
      expect(fx.emulator!.calls("listVpcs")).toBeGreaterThan(1);
    });

    emuIt("lists every subnet across >= 2 regions, following pagination", async () => {
      const subnets = await p.listSubnets();
      expect(subnets.map((s) => s.id).sort()).toEqual([...seed!.subnetIds].sort());
      expect(new Set(subnets.map((s) => s.region))).toEqual(new Set(seed!.regions));
      expect(seed!.regions.length).toBeGreaterThanOrEqual(2);
      const vpcIds = new Set(seed!.vpcIds);
      for (const s of subnets) expect(vpcIds.has(s.vpcId)).toBe(true);
      expect(fx.emulator!.calls("listSubnets")).toBeGreaterThan(seed!.regions.length);
    });

    emuIt("narrows subnets to one VPC", async () => {
      const all = await p.listSubnets();
      const vpc = seed!.createIn.vpcId;
      const vpcs = await p.listVpcs();
      const ref = vpcs.find((v) => v.id === vpc)!;
      const one = await p.listSubnets({}, ref);
      expect(one.length).toBeGreaterThan(0);
      expect(one.map((s) => s.id).sort()).toEqual(
        all
          .filter((s) => s.vpcId === vpc)
          .map((s) => s.id)
          .sort(),
      );
    });

    emuIt("re-reads one VPC and one subnet by id (the targeted re-read), null when gone", async () => {
      const listed = (await p.listVpcs()).find((v) => v.id === seed!.richVpc.id)!;
      expect(await p.getVpc({ id: listed.id, region: listed.region })).toEqual(listed);
      const subnet = (await p.listSubnets()).find((x) => x.id === seed!.richSubnet.id)!;
      expect(await p.getSubnet({ id: subnet.id, region: subnet.region })).toEqual(subnet);
      const missingVpc =
        p.name === "aws" ? "vpc-0000000000000dead" : listed.id.replace(/[^/]+$/, "no-such-network");
      expect(await p.getVpc({ id: missingVpc, region: listed.region })).toBeNull();
      const missingSubnet =
        p.name === "aws" ? "subnet-0000000000000dead" : subnet.id.replace(/[^/]+$/, "no-such-subnet");
      expect(await p.getSubnet({ id: missingSubnet, region: subnet.region })).toBeNull();
    });

    emuIt("maps primary, secondary, secondary-range and IPv6 CIDRs", async () => {
      const vpc = (await p.listVpcs()).find((v) => v.id === seed!.richVpc.id) as CloudVpc;
      expect(norm(vpc.cidrs, true)).toEqual(norm(seed!.richVpc.cidrs, true));
      const subnet = (await p.listSubnets()).find((s) => s.id === seed!.richSubnet.id) as CloudSubnet;
      expect(norm(subnet.cidrs, true)).toEqual(norm(seed!.richSubnet.cidrs, true));
      expect(subnet.cidrs.some((c) => c.family === 6)).toBe(true);
    });

    emuIt("creates a subnet carrying the allocation id, then finds it tagged", async () => {
      const allocationId = alloc();
      const { vpcId, region, freeCidrs } = seed!.createIn;
      const created = await p.createSubnet({
        vpcId,
        region,
        cidr: freeCidrs[0]!,
        name: "cloudpam-contract-a",
        allocationId,
        tags: { team: "net" },
      });
      expect(created.managedByCloudPam).toBe(true);
      expect(created.allocationId).toBe(allocationId);
      expect(created.cidrs.find((c) => c.role === "primary")?.cidr).toBe(freeCidrs[0]);
      const found = (await p.listSubnets({}, { id: vpcId, region })).find((s) => s.id === created.id);
      expect(found?.managedByCloudPam).toBe(true);
      expect(found?.allocationId).toBe(allocationId);
      expect(found?.tags["cloudpam:allocation-id"]).toBe(allocationId);
      expect(found?.tags["cloudpam:managed"]).toBe("true");
    });

    emuIt("a repeated create returns the earlier subnet instead of creating twice", async () => {
      const allocationId = alloc();
      const { vpcId, region, freeCidrs } = seed!.createIn;
      const input = { vpcId, region, cidr: freeCidrs[1]!, name: "cloudpam-contract-b", allocationId };
      const first = await p.createSubnet(input);
      const second = await p.createSubnet(input);
      expect(second.id).toBe(first.id);
      expect(fx.emulator!.calls("create")).toBe(1);
      expect(fx.emulator!.subnetsWithAllocation(allocationId)).toBe(1);
    });

    emuIt("a create whose answer was lost is retried without creating twice", async () => {
      const allocationId = alloc();
      const { vpcId, region, freeCidrs } = seed!.createIn;
      fx.emulator!.loseNextCreateAnswer();
      const created = await p.createSubnet({
        vpcId,
        region,
        cidr: freeCidrs[2]!,
        name: "cloudpam-contract-c",
        allocationId,
      });
      expect(created.allocationId).toBe(allocationId);
      expect(fx.emulator!.calls("create")).toBe(1);
      expect(fx.emulator!.calls("lookup")).toBeGreaterThanOrEqual(2);
      expect(fx.emulator!.subnetsWithAllocation(allocationId)).toBe(1);
    });

    emuIt("a throttled create is retried and converges to one subnet", async () => {
      const allocationId = alloc();
      const { vpcId, region, freeCidrs } = seed!.createIn;
      fx.emulator!.throttleNext(2, "create");
      const created = await p.createSubnet({
        vpcId,
        region,
        cidr: freeCidrs[3]!,
        name: "cloudpam-contract-d",
        allocationId,
      });
      expect(created.allocationId).toBe(allocationId);
      expect(fx.emulator!.calls("create", { throttled: true })).toBe(2);
      expect(fx.emulator!.subnetsWithAllocation(allocationId)).toBe(1);
    });

    emuIt("the same allocation with a different CIDR is a conflict", async () => {
      const allocationId = alloc();
      const { vpcId, region, freeCidrs } = seed!.createIn;
      await p.createSubnet({ vpcId, region, cidr: freeCidrs[4]!, name: "cloudpam-contract-e", allocationId });
      const err = await p
        .createSubnet({ vpcId, region, cidr: freeCidrs[5]!, name: "cloudpam-contract-f", allocationId })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe("CONFLICT");
      expect(fx.emulator!.subnetsWithAllocation(allocationId)).toBe(1);
    });

    emuIt("refuses to delete a subnet without CloudPAM's marker", async () => {
      const err = await p.deleteSubnet(seed!.unmanaged).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnmanagedResourceError);
      expect((err as ProviderError).code).toBe("UNMANAGED_RESOURCE");
      expect(fx.emulator!.calls("delete")).toBe(0);
      expect(fx.emulator!.subnetExists(seed!.unmanaged)).toBe(true);
    });

    emuIt("deletes a subnet it created", async () => {
      const allocationId = alloc();
      const { vpcId, region, freeCidrs } = seed!.createIn;
      const created = await p.createSubnet({
        vpcId,
        region,
        cidr: freeCidrs[6]!,
        name: "cloudpam-contract-g",
        allocationId,
      });
      await p.deleteSubnet(created);
      expect(fx.emulator!.subnetExists(created)).toBe(false);
      expect((await p.listSubnets({}, { id: vpcId, region })).some((s) => s.id === created.id)).toBe(false);
    });

    emuIt("throttled list calls are retried and converge; the call log shows the retries", async () => {
      const before = await histogramCount(p.name, "throttled");
      fx.emulator!.throttleNext(3, "listSubnets");
      const subnets = await p.listSubnets();
      expect(subnets.length).toBeGreaterThanOrEqual(seed!.subnetIds.length);
      expect(fx.emulator!.calls("listSubnets", { throttled: true })).toBe(3);
      expect(await histogramCount(p.name, "throttled")).toBe(before + 3);
    });

    emuIt("transient 503s are retried", async () => {
      fx.emulator!.unavailableNext(2, "listVpcs");
      const vpcs = await p.listVpcs();
      expect(vpcs.length).toBe(seed!.vpcIds.length);
      expect(fx.emulator!.calls("listVpcs", { failed: true })).toBe(2);
    });

    emuIt("persistent throttling gives a typed error after the attempt limit", async () => {
      fx.emulator!.throttleNext(1000, "listVpcs");
      const err = await p.listVpcs({ regions: [seed!.regions[0]!] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryExhaustedError);
      expect((err as RetryExhaustedError).code).toBe("THROTTLED");
      expect((err as RetryExhaustedError).attempts).toBe(fx.maxAttempts);
      expect(fx.emulator!.calls("listVpcs", { throttled: true })).toBe(fx.maxAttempts);
      expect(fx.emulator!.calls("listVpcs")).toBe(fx.maxAttempts);
    });

    emuIt("non-retryable errors are not retried", async () => {
      fx.emulator!.denyNext("listVpcs");
      const err = await p.listVpcs().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).not.toBeInstanceOf(RetryExhaustedError);
      expect((err as ProviderError).code).toBe("AUTH");
      expect(fx.emulator!.calls("listVpcs", { failed: true })).toBe(1);
    });

    it("times every call into the provider histogram", async () => {
      const before = await histogramCount(p.name);
      await p.listVpcs();
      expect(await histogramCount(p.name, "ok")).toBeGreaterThan(0);
      expect(await histogramCount(p.name)).toBeGreaterThan(before);
    });

    const realCreate = !opts.emulated;
    (realCreate ? it : it.skip)(
      "real account: create, find tagged, repeat, delete",
      async () => {
        const target = fx.real?.createIn;
        if (!target) return; // create test not configured for this account
        const allocationId = alloc();
        const input = {
          vpcId: target.vpcId,
          region: target.region,
          cidr: target.cidr,
          name: `cloudpam-contract-${allocSeq}`,
          allocationId,
        };
        const created = await p.createSubnet(input);
        try {
          expect(created.managedByCloudPam).toBe(true);
          expect((await p.createSubnet(input)).id).toBe(created.id);
          const found = (
            await p.listSubnets({ regions: [target.region] }, { id: target.vpcId, region: target.region })
          ).find((s) => s.id === created.id);
          expect(found?.allocationId).toBe(allocationId);
        } finally {
          await p.deleteSubnet(created);
        }
      },
      600_000,
    );
  });
}
