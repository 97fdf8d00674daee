/**
 * Discovery of one account with 50 VPCs and 5,000 subnets across 4 regions, through the real SDK
 * clients against the loopback emulators: wall time and calls made, for AWS and GCP.
 * Run: npm run bench -- providers
 */
import { OAuth2Client } from "google-auth-library";
import { AwsProvider } from "../src/providers/aws.js";
import { GcpProvider } from "../src/providers/gcp.js";
import type { Provider } from "../src/providers/types.js";
import { EC2_TEST_CREDENTIALS, startEc2Emulator } from "../test/emulators/ec2-emulator.js";
import { startComputeEmulator } from "../test/emulators/compute-emulator.js";
import type { FaultBook } from "../test/emulators/faults.js";
import { measure, report, type BenchResult } from "./harness.js";

const REGIONS_AWS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
const REGIONS_GCP = ["us-east1", "us-west1", "europe-west1", "asia-southeast1"];
const VPCS = 50;
const SUBNETS_PER_VPC = 100;
const ITERATIONS = 5;

async function discover(p: Provider): Promise<{ vpcs: number; subnets: number }> {
  const [vpcs, subnets] = await Promise.all([p.listVpcs(), p.listSubnets()]);
  return { vpcs: vpcs.length, subnets: subnets.length };
}

async function run(label: string, p: Provider, log: FaultBook, results: BenchResult[]): Promise<void> {
  log.resetLog();
  const once = await discover(p);
  const calls = log.log.length;
  const byAction = log.counts();
  if (once.vpcs !== VPCS || once.subnets !== VPCS * SUBNETS_PER_VPC)
    throw new Error(`${label}: got ${JSON.stringify(once)}`);
  const r = await measure(label, () => discover(p), { iterations: ITERATIONS, warmup: 1 });
  results.push(r);
  console.log(
    `${label}: ${once.vpcs} VPCs, ${once.subnets} subnets; median ${(r.medianUs / 1000).toFixed(0)} ms per discovery; ${calls} calls ${JSON.stringify(byAction)}`,
  );
}

const results: BenchResult[] = [];

{
  const ec2 = await startEc2Emulator({ maxPageSize: 1000 });
  for (let v = 0; v < VPCS; v++) {
    const region = REGIONS_AWS[v % REGIONS_AWS.length]!;
    const vpc = ec2.addVpc({
      region,
      cidr: `10.${v}.0.0/16`,
      ipv6Cidrs: [`2600:1f18:${(0x4000 + v).toString(16)}:ff00::/56`],
    });
    for (let s = 0; s < SUBNETS_PER_VPC; s++)
      ec2.addSubnet({ vpcId: vpc.id, cidr: `10.${v}.${s}.0/24`, unchecked: true });
  }
  for (const pageSize of [1000, 100]) {
    const p = new AwsProvider({
      regions: REGIONS_AWS,
      endpoint: ec2.url,
      credentials: EC2_TEST_CREDENTIALS,
      pageSize,
    });
    await run(`aws discovery (page ${pageSize})`, p, ec2.faults, results);
    p.destroy();
  }
  await ec2.close();
}

{
  const gce = await startComputeEmulator({ maxPageSize: 500, regions: REGIONS_GCP });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: "test", expiry_date: Date.now() + 3600e3 });
  for (let v = 0; v < VPCS; v++) {
    gce.addNetwork({ name: `net-${v}` });
    for (let s = 0; s < SUBNETS_PER_VPC; s++) {
      const region = REGIONS_GCP[(v + s) % REGIONS_GCP.length]!;
      gce.addSubnetwork({
        region,
        network: `net-${v}`,
        name: `net-${v}-sub-${s}`,
        cidr: `10.${v}.${s}.0/24`,
        secondaryRanges: s === 0 ? [{ name: "pods", cidr: `10.${100 + v}.0.0/20` }] : [],
        unchecked: true,
      });
    }
  }
  for (const pageSize of [500, 100]) {
    const p = new GcpProvider({
      projectId: "test-project",
      ...gce.clientOptions,
      authClient: auth,
      pageSize,
    });
    await run(`gcp discovery (page ${pageSize})`, p, gce.faults, results);
    await p.close();
  }
  await gce.close();
}

report(results);
