import { computeTestAuthClient } from "../helpers/cloud.js";
import { describe, expect, it } from "vitest";
import { GcpProvider } from "../../src/providers/gcp.js";
import { startComputeEmulator, type ComputeEmulator } from "../emulators/compute-emulator.js";
import { providerContract, type CallKind, type ContractFixture, type SeedExpectations } from "./contract.js";

const ACTION: Record<CallKind, string> = {
  listVpcs: "networks.list",
  listSubnets: "subnetworks.aggregatedList",
  lookup: "subnetworks.list",
  create: "subnetworks.insert",
  delete: "subnetworks.delete",
};
const MAX_ATTEMPTS = 4;
const PROJECT = "test-project";

export { computeTestAuthClient };

/** 9 networks and 19 subnetworks over two regions; pages of 5 force pagination. */
export function seedGcp(gce: ComputeEmulator): SeedExpectations {
  const [r1, r2] = ["us-east1", "europe-west1"];
  const net = (name: string) => `projects/${PROJECT}/global/networks/${name}`;
  const sub = (region: string, name: string) => `projects/${PROJECT}/regions/${region}/subnetworks/${name}`;
  gce.addNetwork({ name: "alpha", internalIpv6Range: "fd20:100:200::/48" });
  gce.addNetwork({ name: "beta" });
  const vpcIds = [net("alpha"), net("beta")];
  for (let i = 1; i <= 7; i++) {
    gce.addNetwork({ name: `extra-${i}` });
    vpcIds.push(net(`extra-${i}`));
  }
  const subnetIds: string[] = [];
  for (let i = 0; i < 12; i++) {
    gce.addSubnetwork({
      region: r1,
      network: "alpha",
      name: `alpha-${i}`,
      cidr: `10.0.${i}.0/24`,
      ...(i === 0
        ? {
            secondaryRanges: [
              { name: "pods", cidr: "10.64.0.0/20" },
              { name: "services", cidr: "10.65.0.0/24" },
            ],
            ipv6: { cidr: "fd20:100:200:1::/64" },
          }
        : {}),
    });
    subnetIds.push(sub(r1, `alpha-${i}`));
  }
  for (let i = 0; i < 7; i++) {
    gce.addSubnetwork({ region: r2, network: "beta", name: `beta-${i}`, cidr: `10.2.${i}.0/24` });
    subnetIds.push(sub(r2, `beta-${i}`));
  }
  return {
    regions: [r1, r2],
    vpcIds,
    subnetIds,
    richVpc: {
      id: net("alpha"),
      cidrs: [{ cidr: "fd20:100:200::/48", family: 6, role: "ipv6", name: "internal" }],
    },
    richSubnet: {
      id: sub(r1, "alpha-0"),
      cidrs: [
        { cidr: "10.0.0.0/24", family: 4, role: "primary" },
        { cidr: "10.64.0.0/20", family: 4, role: "secondary-range", name: "pods" },
        { cidr: "10.65.0.0/24", family: 4, role: "secondary-range", name: "services" },
        { cidr: "fd20:100:200:1::/64", family: 6, role: "ipv6", name: "internal" },
      ],
    },
    createIn: {
      vpcId: net("alpha"),
      region: r1,
      freeCidrs: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `10.1.${i}.0/24`),
    },
    unmanaged: { id: sub(r1, "alpha-3"), region: r1 },
  };
}

async function emulatorFixture(): Promise<ContractFixture> {
  const gce = await startComputeEmulator({
    project: PROJECT,
    maxPageSize: 5,
    operationPolls: 2,
    regions: ["us-east1", "europe-west1", "asia-east1"],
  });
  const provider = new GcpProvider({
    projectId: PROJECT,
    ...gce.clientOptions,
    authClient: computeTestAuthClient(),
    retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 1, maxDelayMs: 5 },
    pageSize: 5,
  });
  const parse = (id: string) => {
    const [, , , region, , name] = id.split("/");
    return { region: region!, name: name! };
  };
  return {
    provider,
    maxAttempts: MAX_ATTEMPTS,
    emulator: {
      seed: () => seedGcp(gce),
      throttleNext: (n, kind) => gce.throttleNext(n, ACTION[kind]),
      unavailableNext: (n, kind) =>
        gce.failNext({
          action: ACTION[kind],
          count: n,
          status: 503,
          code: "backendError",
          message: "Backend Error",
        }),
      denyNext: (kind) =>
        gce.failNext({
          action: ACTION[kind],
          status: 403,
          code: "forbidden",
          message: "Required 'compute.networks.list' permission",
        }),
      loseNextCreateAnswer: () =>
        gce.failNext({
          action: "subnetworks.insert",
          status: 500,
          code: "backendError",
          message: "Internal Error",
          afterApply: true,
        }),
      calls: (kind, o = {}) =>
        gce.faults.log.filter(
          (r) =>
            r.action === ACTION[kind] &&
            (!o.throttled || r.error === "rateLimitExceeded") &&
            (!o.failed || r.status >= 400),
        ).length,
      subnetsWithAllocation: (id) =>
        gce
          .listSubnetworks()
          .filter((s) => (s.description ?? "").split(" ").includes(`cloudpam:allocation-id=${id}`)).length,
      subnetExists: (ref) => gce.getSubnetwork(parse(ref.id).region, parse(ref.id).name) !== undefined,
      reset: () => gce.resetCalls(),
    },
    close: async () => {
      await provider.close();
      await gce.close();
    },
  };
}

providerContract("GcpProvider contract (Compute emulator)", emulatorFixture, { emulated: true });

const realProject = process.env.CLOUDPAM_TEST_GCP_PROJECT;
describe.skipIf(!realProject)("real GCP project (opt-in)", () => {
  providerContract(
    "GcpProvider contract (real project)",
    async () => {
      const provider = new GcpProvider({ projectId: realProject! });
      const region = process.env.CLOUDPAM_TEST_GCP_REGION;
      const network = process.env.CLOUDPAM_TEST_GCP_NETWORK;
      const cidr = process.env.CLOUDPAM_TEST_GCP_CIDR;
      return {
        provider,
        maxAttempts: provider.gate.policy.maxAttempts,
        real: {
          createIn:
            region && network && cidr
              ? { vpcId: `projects/${realProject}/global/networks/${network}`, region, cidr }
              : undefined,
        },
        close: () => provider.close(),
      };
    },
    { emulated: false },
  );
});

describe("GcpProvider operations", () => {
  it("awaits insert and delete operations until DONE through regionOperations.wait", async () => {
    const gce = await startComputeEmulator({ project: PROJECT, operationPolls: 3 });
    const provider = new GcpProvider({
      projectId: PROJECT,
      ...gce.clientOptions,
      authClient: computeTestAuthClient(),
      retry: { baseDelayMs: 1 },
    });
    try {
      gce.addNetwork({ name: "n" });
      const s = await provider.createSubnet({
        vpcId: `projects/${PROJECT}/global/networks/n`,
        region: "us-east1",
        cidr: "10.0.0.0/24",
        name: "s",
        allocationId: "a-1",
      });
      expect(gce.calls["regionOperations.wait"]).toBe(3);
      expect(s).toMatchObject({
        id: `projects/${PROJECT}/regions/us-east1/subnetworks/s`,
        allocationId: "a-1",
        managedByCloudPam: true,
      });
      await provider.deleteSubnet(s);
      expect(gce.calls["regionOperations.wait"]).toBe(6);
      expect(gce.getSubnetwork("us-east1", "s")).toBeUndefined();
    } finally {
      await provider.close();
      await gce.close();
    }
  });

  it("an insert refused by the API (overlap) is a typed INVALID error, not retried", async () => {
    const gce = await startComputeEmulator({ project: PROJECT });
    const provider = new GcpProvider({
      projectId: PROJECT,
      ...gce.clientOptions,
      authClient: computeTestAuthClient(),
      retry: { baseDelayMs: 1 },
    });
    try {
      gce.addNetwork({ name: "n" });
      gce.addSubnetwork({ region: "us-east1", network: "n", name: "taken", cidr: "10.0.0.0/16" });
      const err = await provider
        .createSubnet({
          vpcId: `projects/${PROJECT}/global/networks/n`,
          region: "us-east1",
          cidr: "10.0.1.0/24",
          name: "s",
          allocationId: "a-2",
        })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: "ProviderError", code: "INVALID" });
      expect(gce.calls["subnetworks.insert"]).toBe(1);
    } finally {
      await provider.close();
      await gce.close();
    }
  });
});
