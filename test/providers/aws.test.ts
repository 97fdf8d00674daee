import { describe, expect, it } from "vitest";
import { AwsProvider } from "../../src/providers/aws.js";
import { EC2_TEST_CREDENTIALS, startEc2Emulator, type Ec2Emulator } from "../emulators/ec2-emulator.js";
import { providerContract, type CallKind, type ContractFixture, type SeedExpectations } from "./contract.js";

const ACTION: Record<CallKind, string> = {
  listVpcs: "DescribeVpcs",
  listSubnets: "DescribeSubnets",
  lookup: "DescribeSubnets",
  create: "CreateSubnet",
  delete: "DeleteSubnet",
};
const MAX_ATTEMPTS = 4;

/** 9 VPCs and 19 subnets over two regions; emulator pages of 5 force pagination. */
export function seedAws(ec2: Ec2Emulator): SeedExpectations {
  const [r1, r2] = ["us-east-1", "eu-west-1"];
  const vpcIds: string[] = [];
  const subnetIds: string[] = [];
  const rich = ec2.addVpc({
    region: r1,
    cidr: "10.0.0.0/16",
    secondaryCidrs: ["10.1.0.0/16"],
    ipv6Cidrs: ["2600:1f18:4000:100::/56"],
    tags: { Name: "alpha" },
  });
  vpcIds.push(rich.id);
  for (let i = 0; i < 12; i++) {
    subnetIds.push(
      ec2.addSubnet({
        vpcId: rich.id,
        cidr: `10.0.${i}.0/24`,
        zone: `${r1}${"abc"[i % 3]}`,
        ipv6Cidrs: i === 0 ? ["2600:1f18:4000:100::/64"] : [],
      }).id,
    );
  }
  for (let i = 1; i <= 5; i++) vpcIds.push(ec2.addVpc({ region: r1, cidr: `10.${10 + i}.0.0/16` }).id);
  const beta = ec2.addVpc({ region: r2, cidr: "10.2.0.0/16", tags: { Name: "beta" } });
  vpcIds.push(beta.id);
  for (let i = 0; i < 7; i++)
    subnetIds.push(ec2.addSubnet({ vpcId: beta.id, cidr: `10.2.${i}.0/24`, tags: { Name: `beta-${i}` } }).id);
  for (let i = 1; i <= 2; i++) vpcIds.push(ec2.addVpc({ region: r2, cidr: `10.${20 + i}.0.0/16` }).id);
  const richSubnet = ec2.listSubnets({ vpcId: rich.id })[0]!;
  return {
    regions: [r1, r2],
    vpcIds,
    subnetIds,
    richVpc: {
      id: rich.id,
      cidrs: [
        { cidr: "10.0.0.0/16", family: 4, role: "primary" },
        { cidr: "10.1.0.0/16", family: 4, role: "secondary", name: rich.cidrAssociations[1]!.associationId },
        {
          cidr: "2600:1f18:4000:100::/56",
          family: 6,
          role: "ipv6",
          name: rich.ipv6Associations[0]!.associationId,
        },
      ],
    },
    richSubnet: {
      id: richSubnet.id,
      cidrs: [
        { cidr: "10.0.0.0/24", family: 4, role: "primary" },
        {
          cidr: "2600:1f18:4000:100::/64",
          family: 6,
          role: "ipv6",
          name: richSubnet.ipv6Associations[0]!.associationId,
        },
      ],
    },
    createIn: {
      vpcId: rich.id,
      region: r1,
      freeCidrs: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `10.1.${i}.0/24`),
    },
    unmanaged: { id: subnetIds[3]!, region: r1 },
  };
}

async function emulatorFixture(): Promise<ContractFixture> {
  const ec2 = await startEc2Emulator({ maxPageSize: 5 });
  const provider = new AwsProvider({
    regions: ["us-east-1", "eu-west-1"],
    endpoint: ec2.url,
    credentials: EC2_TEST_CREDENTIALS,
    retry: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 1, maxDelayMs: 5 },
    pageSize: 5,
  });
  return {
    provider,
    maxAttempts: MAX_ATTEMPTS,
    emulator: {
      seed: () => seedAws(ec2),
      throttleNext: (n, kind) => ec2.throttleNext(n, ACTION[kind]),
      unavailableNext: (n, kind) =>
        ec2.failNext({
          action: ACTION[kind],
          count: n,
          status: 503,
          code: "Unavailable",
          message: "The service is unavailable.",
        }),
      denyNext: (kind) =>
        ec2.failNext({
          action: ACTION[kind],
          status: 403,
          code: "UnauthorizedOperation",
          message: "You are not authorized to perform this operation.",
        }),
      loseNextCreateAnswer: () =>
        ec2.failNext({
          action: "CreateSubnet",
          status: 500,
          code: "InternalError",
          message: "An internal error has occurred",
          afterApply: true,
        }),
      calls: (kind, o = {}) =>
        ec2.faults.log.filter(
          (r) =>
            r.action === ACTION[kind] &&
            (!o.throttled || r.error === "RequestLimitExceeded") &&
            (!o.failed || r.status >= 400),
        ).length,
      subnetsWithAllocation: (id) =>
        ec2.listSubnets().filter((s) => s.tags["cloudpam:allocation-id"] === id).length,
      subnetExists: (ref) => ec2.getSubnet(ref.id) !== undefined,
      reset: () => ec2.resetCalls(),
    },
    close: async () => {
      provider.destroy();
      await ec2.close();
    },
  };
}

providerContract("AwsProvider contract (EC2 emulator)", emulatorFixture, { emulated: true });

const realRegions = process.env.CLOUDPAM_TEST_AWS_REGION?.split(",")
  .map((r) => r.trim())
  .filter(Boolean);
describe.skipIf(!realRegions?.length)("real AWS account (opt-in)", () => {
  providerContract(
    "AwsProvider contract (real account)",
    async () => {
      const provider = new AwsProvider({
        regions: realRegions!,
        roleArn: process.env.CLOUDPAM_TEST_AWS_ROLE_ARN,
      });
      const vpcId = process.env.CLOUDPAM_TEST_AWS_VPC_ID;
      const cidr = process.env.CLOUDPAM_TEST_AWS_CIDR;
      return {
        provider,
        maxAttempts: provider.gate.policy.maxAttempts,
        real: { createIn: vpcId && cidr ? { vpcId, region: realRegions![0]!, cidr } : undefined },
        close: async () => provider.destroy(),
      };
    },
    { emulated: false },
  );
});

describe("EC2 emulator wire protocol", () => {
  it("serves each region from the SigV4 credential scope and answers errors in EC2's XML shape", async () => {
    const { EC2Client, DescribeVpcsCommand, DescribeSubnetsCommand } = await import("@aws-sdk/client-ec2");
    const ec2 = await startEc2Emulator();
    const east = new EC2Client({
      region: "us-east-1",
      endpoint: ec2.url,
      credentials: EC2_TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    const west = new EC2Client({
      region: "eu-west-1",
      endpoint: ec2.url,
      credentials: EC2_TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      const v = ec2.addVpc({ region: "eu-west-1", cidr: "10.9.0.0/16", tags: { Name: "w" } });
      expect((await east.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
      const got = (await west.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
      expect(got.map((x) => [x.VpcId, x.CidrBlock, x.Tags?.[0]?.Value])).toEqual([
        [v.id, "10.9.0.0/16", "w"],
      ]);
      const err = await west
        .send(new DescribeSubnetsCommand({ Filters: [{ Name: "bogus", Values: ["x"] }] }))
        .catch((e: unknown) => e);
      expect((err as Error).name).toBe("InvalidParameterValue");
      expect(ec2.faults.log.at(-1)).toMatchObject({
        action: "DescribeSubnets",
        region: "eu-west-1",
        status: 400,
      });
    } finally {
      east.destroy();
      west.destroy();
      await ec2.close();
    }
  });
});
