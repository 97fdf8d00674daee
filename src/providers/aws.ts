/**
 * AWS provider on @aws-sdk/client-ec2: one EC2Client per region of the account, all calls going through
 * one CallGate (concurrency limit, backoff with full jitter, metrics) installed as an `initialize`-step
 * middleware, so that the SDK paginators' page calls are limited, retried and timed one by one. The
 * SDK's own retry is off (maxAttempts: 1).
 *
 * Credentials: explicit `credentials`, else the SDK default chain (env, shared config/SSO, IRSA web
 * identity, ECS/instance metadata). With `roleArn`, the account's role is assumed through STS
 * (fromTemporaryCredentials, source credentials = the above), session name "cloudpam".
 */
import {
  CreateSubnetCommand,
  DeleteSubnetCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  type EC2ClientConfig,
  type Filter,
  type Subnet,
  type Tag,
  type Vpc,
} from "@aws-sdk/client-ec2";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import {
  ProviderError,
  UnmanagedResourceError,
  assertSameSubnet,
  errorMessage,
  type ProviderErrorCode,
} from "./errors.js";
import { CallGate, type ErrorClass, type RetryPolicy } from "./retry.js";
import {
  ALLOCATION_ID_RE,
  CLOUDPAM_TAG_ALLOCATION_ID,
  CLOUDPAM_TAG_MANAGED,
  cidrFamily,
  type AccountScope,
  type CloudCidr,
  type CloudSubnet,
  type CloudVpc,
  type CreateSubnetInput,
  type Provider,
  type SubnetRef,
  type Tags,
  type VpcRef,
} from "./types.js";

/** How an AWS client of an account gets its credentials. */
export interface AwsCredentialOptions {
  /** Static keys or a credential provider; default: the SDK default chain. */
  credentials?: EC2ClientConfig["credentials"];
  /** Role to assume in the target account (from the account's settings). */
  roleArn?: string;
  externalId?: string;
  /** STS endpoint override for the role assumption (emulator, VPC endpoint). */
  stsEndpoint?: string;
  /** Region of the STS client (default: the account's first region). */
  stsRegion?: string;
}

/**
 * The account's credentials: `credentials` (else the default chain), or with `roleArn` the role assumed
 * through STS AssumeRole (session "cloudpam", ExternalId when set), refreshed before they expire.
 */
export function awsCredentials(opts: AwsCredentialOptions): EC2ClientConfig["credentials"] {
  if (!opts.roleArn) return opts.credentials;
  return fromTemporaryCredentials({
    masterCredentials: opts.credentials,
    params: { RoleArn: opts.roleArn, RoleSessionName: "cloudpam", ExternalId: opts.externalId },
    clientConfig: {
      region: opts.stsRegion ?? "us-east-1",
      ...(opts.stsEndpoint ? { endpoint: opts.stsEndpoint } : {}),
    },
  });
}

export interface AwsProviderOptions extends AwsCredentialOptions {
  /** Regions to scan by default, e.g. ["us-east-1", "eu-west-1"]. */
  regions: string[];
  /** Endpoint override (emulator, VPC endpoint). */
  endpoint?: string;
  retry?: Partial<RetryPolicy>;
  /** Calls in flight for this account, all regions together (default 8). */
  concurrency?: number;
  /** MaxResults per Describe page, 5..1000 (default 1000). */
  pageSize?: number;
  /** Per-attempt HTTP timeout in ms (default 30,000); a timeout counts as transient. */
  timeoutMs?: number;
}

const THROTTLE_CODES = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
  "EC2ThrottledException",
]);
const TRANSIENT_CODES = new Set([
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "Unavailable",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
const AUTH_CODES = new Set([
  "AuthFailure",
  "UnauthorizedOperation",
  "InvalidClientTokenId",
  "ExpiredToken",
  "SignatureDoesNotMatch",
  "OptInRequired",
  "CredentialsProviderError",
]);
/** Calls that must not be blindly repeated: the unit around them re-checks state first. */
const NON_IDEMPOTENT = new Set(["CreateSubnet"]);

interface AwsErrorLike {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

export function classifyAwsError(err: unknown): ErrorClass {
  const e = (err ?? {}) as AwsErrorLike;
  const code = e.name ?? "";
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLE_CODES.has(code) || status === 429) return "throttle";
  if (TRANSIENT_CODES.has(code) || (e.code !== undefined && TRANSIENT_CODES.has(e.code))) return "transient";
  if (status !== undefined && [500, 502, 503, 504].includes(status)) return "transient";
  return "fatal";
}

function translateAwsError(err: unknown, operation: string): ProviderError {
  const code = ((err ?? {}) as AwsErrorLike).name ?? "";
  let kind: ProviderErrorCode = "UNKNOWN";
  if (code.endsWith(".NotFound")) kind = "NOT_FOUND";
  else if (code.endsWith(".Conflict") || code.endsWith(".Duplicate")) kind = "CONFLICT";
  else if (AUTH_CODES.has(code)) kind = "AUTH";
  else if (code.startsWith("Invalid") || code === "MissingParameter") kind = "INVALID";
  return new ProviderError(
    "aws",
    operation,
    kind,
    `aws ${operation}: ${code || "error"}: ${errorMessage(err)}`,
    { cause: err },
  );
}

function tagsOf(list: Tag[] | undefined): Tags {
  const out: Tags = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? "";
  return out;
}

function ownership(tags: Tags): { managedByCloudPam: boolean; allocationId?: string } {
  const allocationId = tags[CLOUDPAM_TAG_ALLOCATION_ID] || undefined;
  return {
    managedByCloudPam: allocationId !== undefined && tags[CLOUDPAM_TAG_MANAGED] === "true",
    allocationId,
  };
}

const LIVE_ASSOC = new Set(["associated", "associating"]);

export function mapAwsVpc(v: Vpc, region: string): CloudVpc {
  const cidrs: CloudCidr[] = [];
  if (v.CidrBlock) cidrs.push({ cidr: v.CidrBlock, family: 4, role: "primary" });
  for (const a of v.CidrBlockAssociationSet ?? []) {
    if (
      !a.CidrBlock ||
      a.CidrBlock === v.CidrBlock ||
      !LIVE_ASSOC.has(a.CidrBlockState?.State ?? "associated")
    )
      continue;
    cidrs.push({ cidr: a.CidrBlock, family: 4, role: "secondary", name: a.AssociationId });
  }
  for (const a of v.Ipv6CidrBlockAssociationSet ?? []) {
    if (!a.Ipv6CidrBlock || !LIVE_ASSOC.has(a.Ipv6CidrBlockState?.State ?? "associated")) continue;
    cidrs.push({ cidr: a.Ipv6CidrBlock, family: 6, role: "ipv6", name: a.AssociationId });
  }
  const tags = tagsOf(v.Tags);
  return {
    provider: "aws",
    id: v.VpcId ?? "",
    name: tags.Name,
    region,
    cidrs,
    tags,
    state: v.State ?? "unknown",
  };
}

export function mapAwsSubnet(s: Subnet, region: string): CloudSubnet {
  const cidrs: CloudCidr[] = [];
  if (s.CidrBlock) cidrs.push({ cidr: s.CidrBlock, family: cidrFamily(s.CidrBlock), role: "primary" });
  for (const a of s.Ipv6CidrBlockAssociationSet ?? []) {
    if (!a.Ipv6CidrBlock || !LIVE_ASSOC.has(a.Ipv6CidrBlockState?.State ?? "associated")) continue;
    cidrs.push({ cidr: a.Ipv6CidrBlock, family: 6, role: "ipv6", name: a.AssociationId });
  }
  const tags = tagsOf(s.Tags);
  return {
    provider: "aws",
    id: s.SubnetId ?? "",
    vpcId: s.VpcId ?? "",
    name: tags.Name,
    region,
    zone: s.AvailabilityZone,
    cidrs,
    tags,
    state: s.State ?? "unknown",
    ...ownership(tags),
  };
}

export class AwsProvider implements Provider {
  readonly name = "aws" as const;
  readonly regions: readonly string[];
  readonly gate: CallGate;
  private readonly clients = new Map<string, EC2Client>();
  private readonly opts: AwsProviderOptions;
  private readonly credentials: AwsProviderOptions["credentials"];

  constructor(opts: AwsProviderOptions) {
    if (opts.regions.length === 0) throw new RangeError("AwsProvider needs at least one region");
    this.opts = opts;
    this.regions = [...opts.regions];
    this.gate = new CallGate({
      provider: "aws",
      classify: classifyAwsError,
      translate: translateAwsError,
      retry: opts.retry,
      concurrency: opts.concurrency,
    });
    this.credentials = awsCredentials({ ...opts, stsRegion: opts.stsRegion ?? this.regions[0] });
  }

  /** The region's EC2Client (created on first use), with the CallGate middleware installed. */
  client(region: string): EC2Client {
    let c = this.clients.get(region);
    if (!c) {
      c = new EC2Client({
        region,
        endpoint: this.opts.endpoint,
        credentials: this.credentials,
        maxAttempts: 1,
      });
      const gate = this.gate;
      c.middlewareStack.add(
        (next, context) => (args) => {
          const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
          return gate.run(operation, () => next(args), { idempotent: !NON_IDEMPOTENT.has(operation) });
        },
        { step: "initialize", name: "cloudpamCallGate", priority: "high" },
      );
      this.clients.set(region, c);
    }
    return c;
  }

  /** One cheap read per region (DescribeVpcs, 5 results): checks credentials, permissions and reachability. */
  async validate(): Promise<void> {
    await Promise.all(
      this.regions.map((r) => this.client(r).send(new DescribeVpcsCommand({ MaxResults: 5 }))),
    );
  }

  async listVpcs(scope: AccountScope = {}): Promise<CloudVpc[]> {
    const perRegion = await settleAll(
      (scope.regions ?? this.regions).map(async (region) => {
        const out: CloudVpc[] = [];
        for await (const page of paginateDescribeVpcs(
          { client: this.client(region), pageSize: this.pageSize() },
          {},
        )) {
          for (const v of page.Vpcs ?? []) out.push(mapAwsVpc(v, region));
        }
        return out;
      }),
    );
    return perRegion.flat();
  }

  async listSubnets(scope: AccountScope = {}, vpc?: VpcRef): Promise<CloudSubnet[]> {
    const regions = vpc?.region ? [vpc.region] : (scope.regions ?? this.regions);
    const filters: Filter[] | undefined = vpc ? [{ Name: "vpc-id", Values: [vpc.id] }] : undefined;
    const perRegion = await settleAll(regions.map((region) => this.describeSubnets(region, filters)));
    return perRegion.flat();
  }

  async getVpc(ref: VpcRef): Promise<CloudVpc | null> {
    const region = ref.region ?? this.regions[0]!;
    // A filter rather than VpcIds: an unknown id then answers an empty page instead of InvalidVpcID.NotFound.
    const out = await this.client(region).send(
      new DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: [ref.id] }] }),
    );
    const v = out.Vpcs?.find((x) => x.VpcId === ref.id);
    return v ? mapAwsVpc(v, region) : null;
  }

  async getSubnet(ref: SubnetRef): Promise<CloudSubnet | null> {
    const found = await this.describeSubnets(ref.region, [{ Name: "subnet-id", Values: [ref.id] }]);
    return found.find((s) => s.id === ref.id) ?? null;
  }

  async createSubnet(input: CreateSubnetInput): Promise<CloudSubnet> {
    if (!ALLOCATION_ID_RE.test(input.allocationId)) {
      throw new ProviderError(
        "aws",
        "createSubnet",
        "INVALID",
        `aws: allocation id must match ${ALLOCATION_ID_RE}`,
      );
    }
    if (input.secondaryRanges?.length) {
      throw new ProviderError(
        "aws",
        "createSubnet",
        "INVALID",
        "aws: subnets have no secondary ranges (associate extra CIDRs with the VPC)",
      );
    }
    return this.gate.unit("createSubnet", async () => {
      const existing = await this.findByAllocation(input.region, input.allocationId);
      if (existing) return assertSameSubnet(existing, input);
      const tags: Tags = {
        Name: input.name,
        ...input.tags,
        [CLOUDPAM_TAG_MANAGED]: "true",
        [CLOUDPAM_TAG_ALLOCATION_ID]: input.allocationId,
      };
      const out = await this.client(input.region).send(
        new CreateSubnetCommand({
          VpcId: input.vpcId,
          CidrBlock: input.cidr,
          Ipv6CidrBlock: input.ipv6Cidr,
          AvailabilityZone: input.zone,
          TagSpecifications: [
            { ResourceType: "subnet", Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          ],
        }),
      );
      if (!out.Subnet)
        throw new ProviderError("aws", "createSubnet", "UNKNOWN", "aws CreateSubnet returned no subnet");
      return mapAwsSubnet(out.Subnet, input.region);
    });
  }

  async deleteSubnet(ref: SubnetRef): Promise<void> {
    const client = this.client(ref.region);
    const found = await client.send(new DescribeSubnetsCommand({ SubnetIds: [ref.id] }));
    const subnet = found.Subnets?.[0];
    if (!subnet)
      throw new ProviderError(
        "aws",
        "deleteSubnet",
        "NOT_FOUND",
        `aws: subnet ${ref.id} not found in ${ref.region}`,
      );
    if (!mapAwsSubnet(subnet, ref.region).managedByCloudPam) throw new UnmanagedResourceError("aws", ref.id);
    try {
      await client.send(new DeleteSubnetCommand({ SubnetId: ref.id }));
    } catch (err) {
      // A retried DeleteSubnet whose first attempt took effect: it is gone, which is what we wanted.
      if (err instanceof ProviderError && err.code === "NOT_FOUND") return;
      throw err;
    }
  }

  /** Closes the HTTP agents of all region clients. */
  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  private pageSize(): number {
    return Math.min(1000, Math.max(5, this.opts.pageSize ?? 1000));
  }

  private async describeSubnets(region: string, filters?: Filter[]): Promise<CloudSubnet[]> {
    const out: CloudSubnet[] = [];
    const input = filters ? { Filters: filters } : {};
    for await (const page of paginateDescribeSubnets(
      { client: this.client(region), pageSize: this.pageSize() },
      input,
    )) {
      for (const s of page.Subnets ?? []) out.push(mapAwsSubnet(s, region));
    }
    return out;
  }

  private async findByAllocation(region: string, allocationId: string): Promise<CloudSubnet | undefined> {
    const found = await this.describeSubnets(region, [
      { Name: `tag:${CLOUDPAM_TAG_ALLOCATION_ID}`, Values: [allocationId] },
    ]);
    return found.find((s) => s.allocationId === allocationId);
  }
}

/** Like Promise.all, but waits for every region to finish (no calls left running) before throwing the first error. */
async function settleAll<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
