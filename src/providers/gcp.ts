/**
 * GCP provider on @google-cloud/compute (REST transport, `fallback: true`): networks list, subnetworks
 * aggregated list across regions, insert/delete with the returned region operation awaited through
 * RegionOperationsClient.wait. Every HTTP call (each page too) goes through the account's CallGate
 * (concurrency limit, backoff with full jitter, metrics); gax's own retries are off (retryCodes: []).
 *
 * Credentials: `authClient` when given (tests pass an OAuth2Client with a fixed token), else
 * Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, Workload Identity/metadata).
 *
 * Ownership marker: subnetworks have no labels, so CloudPAM writes `cloudpam:managed=true
 * cloudpam:allocation-id=<id>` into the description at insert (see types.ts). Inserts also carry a
 * requestId derived from the allocation id, so GCP itself de-duplicates a repeated insert.
 */
import { createHash } from "node:crypto";
import {
  NetworksClient,
  RegionOperationsClient,
  SubnetworksClient,
  type protos,
} from "@google-cloud/compute";
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

type ComputeClientOptions = NonNullable<ConstructorParameters<typeof NetworksClient>[0]>;
type INetwork = protos.google.cloud.compute.v1.INetwork;
type ISubnetwork = protos.google.cloud.compute.v1.ISubnetwork;
type IOperation = protos.google.cloud.compute.v1.IOperation;
type ISubnetworksScopedList = protos.google.cloud.compute.v1.ISubnetworksScopedList;
type IAggregatedListSubnetworksRequest = protos.google.cloud.compute.v1.IAggregatedListSubnetworksRequest;

export interface GcpProviderOptions {
  projectId: string;
  /** Host only (no port), e.g. "127.0.0.1" for the emulator. */
  apiEndpoint?: string;
  port?: number;
  protocol?: "http" | "https";
  /** A google-auth-library client; default: Application Default Credentials. */
  authClient?: ComputeClientOptions["authClient"];
  retry?: Partial<RetryPolicy>;
  /** Calls in flight for this project (default 8). */
  concurrency?: number;
  /** maxResults per list page, 1..500 (default 500). */
  pageSize?: number;
  /** Upper bound on operation wait calls before giving up (default 60). */
  maxOperationWaits?: number;
  /** Per-call timeout in ms (default 30,000; operations.wait gets 150,000 since GCP holds it up to 2 min). */
  timeoutMs?: number;
}

const THROTTLE_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"]);
const TRANSIENT_REASONS = new Set(["backendError", "internalError"]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);
/** gRPC codes (GoogleError): RESOURCE_EXHAUSTED, UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL. */
const GRPC_THROTTLE = 8;
const GRPC_TRANSIENT = new Set([14, 4, 13]);

interface GcpErrorLike {
  status?: number;
  code?: number | string;
  message?: string;
  response?: { status?: number };
}

/** HTTP status and Google error reasons of a GaxiosError / GoogleError. */
function gcpErrorInfo(err: unknown): { status?: number; grpc?: number; reasons: string[]; netCode?: string } {
  const e = (err ?? {}) as GcpErrorLike;
  let status = typeof e.status === "number" ? e.status : e.response?.status;
  let grpc: number | undefined;
  if (typeof e.code === "number") {
    if (e.code >= 100) status ??= e.code;
    else grpc = e.code;
  }
  const reasons: string[] = [];
  const msg = e.message ?? "";
  const start = msg.indexOf("{");
  if (start >= 0) {
    try {
      const body = JSON.parse(msg.slice(start)) as {
        error?: { code?: number; status?: string; errors?: { reason?: string }[] };
      };
      for (const x of body.error?.errors ?? []) if (x.reason) reasons.push(x.reason);
      if (body.error?.status) reasons.push(body.error.status);
      if (typeof body.error?.code === "number") status ??= body.error.code;
    } catch {
      /* not JSON */
    }
  }
  if (/rate ?limit exceeded/i.test(msg)) reasons.push("rateLimitExceeded");
  return { status, grpc, reasons, netCode: typeof e.code === "string" ? e.code : undefined };
}

export function classifyGcpError(err: unknown): ErrorClass {
  const { status, grpc, reasons, netCode } = gcpErrorInfo(err);
  if (status === 429 || grpc === GRPC_THROTTLE || reasons.some((r) => THROTTLE_REASONS.has(r)))
    return "throttle";
  if (status !== undefined && [500, 502, 503, 504].includes(status)) return "transient";
  if ((grpc !== undefined && GRPC_TRANSIENT.has(grpc)) || reasons.some((r) => TRANSIENT_REASONS.has(r)))
    return "transient";
  if (netCode !== undefined && NETWORK_CODES.has(netCode)) return "transient";
  return "fatal";
}

function translateGcpError(err: unknown, operation: string): ProviderError {
  const { status, grpc, reasons } = gcpErrorInfo(err);
  let kind: ProviderErrorCode = "UNKNOWN";
  if (status === 404 || grpc === 5) kind = "NOT_FOUND";
  else if (status === 409 || grpc === 6) kind = "CONFLICT";
  else if (status === 400 || grpc === 3) kind = "INVALID";
  else if (status === 401 || status === 403 || grpc === 7 || grpc === 16) kind = "AUTH";
  const detail = reasons[0] ?? (status !== undefined ? `HTTP ${status}` : "error");
  return new ProviderError("gcp", operation, kind, `gcp ${operation}: ${detail}: ${shortMessage(err)}`, {
    cause: err,
  });
}

function shortMessage(err: unknown): string {
  const msg = errorMessage(err);
  const m = /"message"\s*:\s*"([^"]*)"/.exec(msg);
  return m?.[1] ?? msg;
}

/** `https://…/compute/v1/projects/p/regions/r/subnetworks/n` → `projects/p/regions/r/subnetworks/n`. */
export function resourcePath(link: string | null | undefined): string {
  if (!link) return "";
  const i = link.indexOf("projects/");
  return i >= 0 ? link.slice(i) : link;
}

function lastSegment(link: string | null | undefined): string {
  return (link ?? "").split("/").pop() ?? "";
}

/** Ownership tokens (`key=value`, whitespace separated) written into/parsed from descriptions. */
export function parseDescriptionTags(description: string | null | undefined): Tags {
  const tags: Tags = {};
  for (const tok of (description ?? "").split(/\s+/)) {
    const m = /^(cloudpam:[a-z-]+)=(\S+)$/.exec(tok);
    if (m) tags[m[1]!] = m[2]!;
  }
  return tags;
}

export function ownershipDescription(allocationId: string): string {
  return `${CLOUDPAM_TAG_MANAGED}=true ${CLOUDPAM_TAG_ALLOCATION_ID}=${allocationId}`;
}

/** A stable RFC 4122-shaped UUID (name-based, SHA-256) for GCP's requestId. */
export function requestIdFor(kind: string, key: string): string {
  const h = createHash("sha256").update(`cloudpam:${kind}:${key}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function mapGcpNetwork(n: INetwork): CloudVpc {
  const cidrs: CloudCidr[] = [];
  if (n.IPv4Range) cidrs.push({ cidr: n.IPv4Range, family: 4, role: "primary" });
  if (n.internalIpv6Range)
    cidrs.push({ cidr: n.internalIpv6Range, family: 6, role: "ipv6", name: "internal" });
  return {
    provider: "gcp",
    id: resourcePath(n.selfLink),
    name: n.name ?? undefined,
    cidrs,
    tags: parseDescriptionTags(n.description),
    state: "READY",
    selfLink: n.selfLink ?? undefined,
  };
}

export function mapGcpSubnetwork(s: ISubnetwork): CloudSubnet {
  const cidrs: CloudCidr[] = [];
  if (s.ipCidrRange) cidrs.push({ cidr: s.ipCidrRange, family: 4, role: "primary" });
  for (const r of s.secondaryIpRanges ?? []) {
    if (r.ipCidrRange)
      cidrs.push({ cidr: r.ipCidrRange, family: 4, role: "secondary-range", name: r.rangeName ?? undefined });
  }
  const v6 = new Map<string, string>();
  if (s.internalIpv6Prefix) v6.set(s.internalIpv6Prefix, "internal");
  if (s.externalIpv6Prefix) v6.set(s.externalIpv6Prefix, "external");
  if (s.ipv6CidrRange && !v6.has(s.ipv6CidrRange))
    v6.set(s.ipv6CidrRange, (s.ipv6AccessType ?? "internal").toLowerCase());
  for (const [cidr, name] of v6) cidrs.push({ cidr, family: 6, role: "ipv6", name });
  const tags = parseDescriptionTags(s.description);
  const allocationId = tags[CLOUDPAM_TAG_ALLOCATION_ID] || undefined;
  return {
    provider: "gcp",
    id: resourcePath(s.selfLink),
    vpcId: resourcePath(s.network),
    name: s.name ?? undefined,
    region: lastSegment(s.region),
    cidrs,
    tags,
    state: s.state ?? "READY",
    managedByCloudPam: allocationId !== undefined && tags[CLOUDPAM_TAG_MANAGED] === "true",
    allocationId,
    selfLink: s.selfLink ?? undefined,
  };
}

/** `projects/p/regions/r/subnetworks/n` → parts; throws INVALID otherwise. */
function parseSubnetId(id: string): { project: string; region: string; name: string } {
  const m = /^projects\/([^/]+)\/regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(resourcePath(id));
  if (!m) throw new ProviderError("gcp", "deleteSubnet", "INVALID", `gcp: not a subnetwork id: ${id}`);
  return { project: m[1]!, region: m[2]!, name: m[3]! };
}

export class GcpProvider implements Provider {
  readonly name = "gcp" as const;
  readonly projectId: string;
  readonly gate: CallGate;
  readonly networks: NetworksClient;
  readonly subnetworks: SubnetworksClient;
  readonly operations: RegionOperationsClient;
  private readonly opts: GcpProviderOptions;

  constructor(opts: GcpProviderOptions) {
    this.opts = opts;
    this.projectId = opts.projectId;
    const clientOpts: ComputeClientOptions = { projectId: opts.projectId, fallback: true };
    if (opts.apiEndpoint !== undefined) clientOpts.apiEndpoint = opts.apiEndpoint;
    if (opts.port !== undefined) clientOpts.port = opts.port;
    if (opts.protocol !== undefined) clientOpts.protocol = opts.protocol;
    if (opts.authClient !== undefined) clientOpts.authClient = opts.authClient;
    this.networks = new NetworksClient(clientOpts);
    this.subnetworks = new SubnetworksClient(clientOpts);
    this.operations = new RegionOperationsClient(clientOpts);
    this.gate = new CallGate({
      provider: "gcp",
      classify: classifyGcpError,
      translate: translateGcpError,
      retry: opts.retry,
      concurrency: opts.concurrency,
    });
  }

  async validate(): Promise<void> {
    await this.gate.run("networks.list", () =>
      this.networks.list(
        { project: this.projectId, maxResults: 1 },
        { autoPaginate: false, ...this.callOpts() },
      ),
    );
  }

  async listVpcs(scope: AccountScope = {}): Promise<CloudVpc[]> {
    const project = scope.project ?? this.projectId;
    const out: CloudVpc[] = [];
    let pageToken: string | undefined;
    do {
      const [items, , raw] = await this.gate.run("networks.list", () =>
        this.networks.list(
          { project, maxResults: this.pageSize(), pageToken },
          { autoPaginate: false, ...this.callOpts() },
        ),
      );
      for (const n of items) out.push(mapGcpNetwork(n));
      pageToken = raw?.nextPageToken || undefined;
    } while (pageToken);
    return out;
  }

  async listSubnets(scope: AccountScope = {}, vpc?: VpcRef): Promise<CloudSubnet[]> {
    const project = scope.project ?? this.projectId;
    const keep = scope.regions ? new Set(scope.regions) : undefined;
    const filter = vpc ? `network eq ".*/${resourcePath(vpc.id)}"` : undefined;
    const out: CloudSubnet[] = [];
    for await (const s of this.aggregatedSubnetworks({ project, filter, returnPartialSuccess: false })) {
      const mapped = mapGcpSubnetwork(s);
      if (keep && !keep.has(mapped.region)) continue;
      if (vpc && mapped.vpcId !== resourcePath(vpc.id)) continue;
      out.push(mapped);
    }
    return out;
  }

  async getVpc(ref: VpcRef): Promise<CloudVpc | null> {
    const m = /^projects\/([^/]+)\/global\/networks\/([^/]+)$/.exec(resourcePath(ref.id));
    if (!m) throw new ProviderError("gcp", "getVpc", "INVALID", `gcp: not a network id: ${ref.id}`);
    const [project, network] = [m[1]!, m[2]!];
    try {
      const [n] = await this.gate.run("networks.get", () =>
        this.networks.get({ project, network }, this.callOpts()),
      );
      return mapGcpNetwork(n);
    } catch (err) {
      if (err instanceof ProviderError && err.code === "NOT_FOUND") return null;
      throw err;
    }
  }

  async getSubnet(ref: SubnetRef): Promise<CloudSubnet | null> {
    const { project, region, name } = parseSubnetId(ref.id);
    try {
      const [s] = await this.gate.run("subnetworks.get", () =>
        this.subnetworks.get({ project, region, subnetwork: name }, this.callOpts()),
      );
      return mapGcpSubnetwork(s);
    } catch (err) {
      if (err instanceof ProviderError && err.code === "NOT_FOUND") return null;
      throw err;
    }
  }

  async createSubnet(input: CreateSubnetInput): Promise<CloudSubnet> {
    if (!ALLOCATION_ID_RE.test(input.allocationId)) {
      throw new ProviderError(
        "gcp",
        "createSubnet",
        "INVALID",
        `gcp: allocation id must match ${ALLOCATION_ID_RE}`,
      );
    }
    if (input.ipv6Cidr) {
      throw new ProviderError(
        "gcp",
        "createSubnet",
        "INVALID",
        "gcp: IPv6 ranges are assigned by GCP; a requested ipv6Cidr cannot be honoured",
      );
    }
    const project = this.projectId;
    const network = resourcePath(input.vpcId);
    return this.gate.unit("createSubnet", async () => {
      const existing = await this.findByAllocation(project, input.region, input.allocationId);
      if (existing) return assertSameSubnet(existing, { ...input, vpcId: network });
      const [lro] = await this.gate.run(
        "subnetworks.insert",
        () =>
          this.subnetworks.insert(
            {
              project,
              region: input.region,
              requestId: requestIdFor("create", input.allocationId),
              subnetworkResource: {
                name: input.name,
                network,
                ipCidrRange: input.cidr,
                description: ownershipDescription(input.allocationId),
                secondaryIpRanges: (input.secondaryRanges ?? []).map((r) => ({
                  rangeName: r.name,
                  ipCidrRange: r.cidr,
                })),
              },
            },
            this.callOpts(),
          ),
        { idempotent: false },
      );
      await this.awaitOperation("createSubnet", project, input.region, lro.latestResponse as IOperation);
      const [s] = await this.gate.run("subnetworks.get", () =>
        this.subnetworks.get({ project, region: input.region, subnetwork: input.name }, this.callOpts()),
      );
      return mapGcpSubnetwork(s);
    });
  }

  async deleteSubnet(ref: SubnetRef): Promise<void> {
    const { project, region, name } = parseSubnetId(ref.id);
    const [s] = await this.gate.run("subnetworks.get", () =>
      this.subnetworks.get({ project, region, subnetwork: name }, this.callOpts()),
    );
    if (!mapGcpSubnetwork(s).managedByCloudPam) throw new UnmanagedResourceError("gcp", ref.id);
    let op: IOperation;
    try {
      // requestId makes a repeated delete (lost answer) return the first operation.
      const [lro] = await this.gate.run("subnetworks.delete", () =>
        this.subnetworks.delete(
          { project, region, subnetwork: name, requestId: requestIdFor("delete", `${ref.id}#${s.id}`) },
          this.callOpts(),
        ),
      );
      op = lro.latestResponse as IOperation;
    } catch (err) {
      if (err instanceof ProviderError && err.code === "NOT_FOUND") return;
      throw err;
    }
    await this.awaitOperation("deleteSubnet", project, region, op);
  }

  async close(): Promise<void> {
    await Promise.all([this.networks.close(), this.subnetworks.close(), this.operations.close()]);
  }

  /**
   * gax call options, fresh per call (gax writes routing headers into the object it is given): no
   * gax-level retry (the CallGate decides) and a bounded per-call time.
   */
  private callOpts(minTimeoutMs = 0): { retry: { retryCodes: number[] }; timeout: number } {
    return { retry: { retryCodes: [] }, timeout: Math.max(minTimeoutMs, this.opts.timeoutMs ?? 30_000) };
  }

  private pageSize(): number {
    return Math.min(500, Math.max(1, this.opts.pageSize ?? 500));
  }

  /**
   * Pages through subnetworks.aggregatedList one call at a time, each through the CallGate.
   * (aggregatedListAsync pages internally and hides the page token, so a throttled page could not be
   * retried on its own; the client's innerApiCalls entry with autoPaginate: false returns
   * [items by scope, next request, raw response] per page.)
   */
  private async *aggregatedSubnetworks(
    request: IAggregatedListSubnetworksRequest,
  ): AsyncGenerator<ISubnetwork> {
    await this.subnetworks.initialize();
    const call = this.subnetworks.innerApiCalls.aggregatedList as (
      req: IAggregatedListSubnetworksRequest,
      opts: object,
    ) => Promise<
      [Record<string, ISubnetworksScopedList> | null, IAggregatedListSubnetworksRequest | null, unknown]
    >;
    let req: IAggregatedListSubnetworksRequest | null = { ...request, maxResults: this.pageSize() };
    while (req) {
      const current: IAggregatedListSubnetworksRequest = req;
      const [items, next] = await this.gate.run("subnetworks.aggregatedList", () =>
        call(current, { autoPaginate: false, ...this.callOpts() }),
      );
      for (const scoped of Object.values(items ?? {})) for (const s of scoped.subnetworks ?? []) yield s;
      req = next;
    }
  }

  private async findByAllocation(
    project: string,
    region: string,
    allocationId: string,
  ): Promise<CloudSubnet | undefined> {
    const filter = `description eq ".*${CLOUDPAM_TAG_ALLOCATION_ID}=${allocationId}( .*)?"`;
    let pageToken: string | undefined;
    do {
      const [items, , raw] = await this.gate.run("subnetworks.list", () =>
        this.subnetworks.list(
          { project, region, filter, maxResults: this.pageSize(), pageToken },
          { autoPaginate: false, ...this.callOpts() },
        ),
      );
      const hit = items.map(mapGcpSubnetwork).find((s) => s.allocationId === allocationId);
      if (hit) return hit;
      pageToken = raw?.nextPageToken || undefined;
    } while (pageToken);
    return undefined;
  }

  /** Waits (RegionOperationsClient.wait, each call bounded server-side) until the operation is DONE. */
  private async awaitOperation(
    operation: string,
    project: string,
    region: string,
    op: IOperation,
  ): Promise<void> {
    const max = this.opts.maxOperationWaits ?? 60;
    let current = op;
    for (let i = 0; current.status !== "DONE"; i++) {
      if (i >= max)
        throw new ProviderError(
          "gcp",
          operation,
          "UNAVAILABLE",
          `gcp: operation ${current.name} not DONE after ${max} waits`,
        );
      const name = current.name ?? "";
      [current] = await this.gate.run("regionOperations.wait", () =>
        this.operations.wait({ project, region, operation: name }, this.callOpts(150_000)),
      );
    }
    const errors = current.error?.errors ?? [];
    if (errors.length > 0) {
      const code = errors[0]?.code ?? "";
      const kind: ProviderErrorCode = /ALREADY_EXISTS/.test(code)
        ? "CONFLICT"
        : /NOT_FOUND/.test(code)
          ? "NOT_FOUND"
          : "OPERATION_FAILED";
      throw new ProviderError(
        "gcp",
        operation,
        kind,
        `gcp ${operation}: operation ${current.name} failed: ${errors.map((e) => `${e.code}: ${e.message}`).join("; ")}`,
      );
    }
  }
}
