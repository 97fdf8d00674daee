/**
 * Loopback Compute Engine emulator: a node:http server on 127.0.0.1 (ephemeral port) speaking the
 * Compute v1 REST JSON protocol that @google-cloud/compute sends with `fallback: true`
 * (`GET /compute/v1/projects/{p}/global/networks`, …), holding networks, subnetworks (secondary
 * ranges, IPv6) and region operations in memory.
 *
 * Supported: networks list/get; subnetworks aggregatedList (regions map, NO_RESULTS_ON_PAGE warnings),
 * list, get, insert (requestId de-duplication, range/overlap/name checks), delete; regionOperations
 * get and wait (an operation is RUNNING and turns DONE after `operationPolls` get/wait calls);
 * maxResults/pageToken (capped by `maxPageSize`); `filter` with `field eq|ne regex` or
 * `field = "value"` on name, description, network, region, ipCidrRange.
 * Errors are Google JSON errors `{ error: { code, message, errors: [{ reason, domain, message }] } }`.
 * Self links use the real base `https://www.googleapis.com/compute/v1/` so ids parse like production.
 *
 * Usage from a test:
 *   const gce = await startComputeEmulator({ maxPageSize: 5 });
 *   gce.addNetwork({ name: "main" }); gce.addSubnetwork({ region: "us-east1", network: "main", name: "a", cidr: "10.0.0.0/24" });
 *   new NetworksClient({ ...gce.clientOptions, authClient: computeTestAuthClient() });
 *   gce.throttleNext(2); gce.calls["subnetworks.aggregatedList"]; await gce.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { contains, isValidCidr, overlaps } from "./cidr.js";
import { FaultBook, decodeToken, encodeToken, readBody, type Fault } from "./faults.js";

export const COMPUTE_SELF_LINK_BASE = "https://www.googleapis.com/compute/v1/";

export interface EmuNetwork {
  project: string;
  id: string;
  name: string;
  description?: string;
  autoCreateSubnetworks: boolean;
  /** Legacy (non-VPC) network range. */
  IPv4Range?: string;
  /** ULA internal IPv6 range (/48) when enableUlaInternalIpv6. */
  internalIpv6Range?: string;
  creationTimestamp: string;
}

export interface EmuSubnetwork {
  project: string;
  id: string;
  name: string;
  region: string;
  network: string;
  description?: string;
  ipCidrRange: string;
  secondaryIpRanges: { rangeName: string; ipCidrRange: string }[];
  stackType: "IPV4_ONLY" | "IPV4_IPV6";
  ipv6AccessType?: "INTERNAL" | "EXTERNAL";
  ipv6CidrRange?: string;
  internalIpv6Prefix?: string;
  externalIpv6Prefix?: string;
  creationTimestamp: string;
  state: string;
}

interface EmuOperation {
  project: string;
  region: string;
  id: string;
  name: string;
  operationType: string;
  targetLink: string;
  targetId: string;
  pollsLeft: number;
  error?: { code: string; message: string };
  insertTime: string;
}

export interface ComputeEmulatorOptions {
  /** Default project for the state API. */
  project?: string;
  /** Largest page returned whatever maxResults asks (default 500). */
  maxPageSize?: number;
  /** get/wait calls before an operation reports DONE (default 1: the first poll sees DONE). */
  operationPolls?: number;
  /** Regions the aggregated list reports (with a NO_RESULTS warning when empty). */
  regions?: string[];
  latencyMs?: number;
}

export interface AddNetworkInput {
  project?: string;
  name: string;
  description?: string;
  internalIpv6Range?: string;
  IPv4Range?: string;
}

export interface AddSubnetworkInput {
  project?: string;
  region: string;
  /** Network name. */
  network: string;
  name: string;
  cidr: string;
  description?: string;
  secondaryRanges?: { name: string; cidr: string }[];
  /** Dual-stack: the subnetwork's IPv6 /64 and its access type (default INTERNAL). */
  ipv6?: { cidr: string; accessType?: "INTERNAL" | "EXTERNAL" };
  unchecked?: boolean;
}

export interface ComputeEmulator {
  url: string;
  port: number;
  /** Spread into a Compute client's options (add `authClient`). */
  clientOptions: { apiEndpoint: string; port: number; protocol: "http"; fallback: true };
  close(): Promise<void>;
  addNetwork(input: AddNetworkInput): EmuNetwork;
  addSubnetwork(input: AddSubnetworkInput): EmuSubnetwork;
  deleteSubnetwork(region: string, name: string, project?: string): boolean;
  getSubnetwork(region: string, name: string, project?: string): EmuSubnetwork | undefined;
  listNetworks(project?: string): EmuNetwork[];
  listSubnetworks(filter?: { project?: string; region?: string; network?: string }): EmuSubnetwork[];
  /** The next `n` calls (of `action`, or any) fail with 403 rateLimitExceeded (or `status`: 429). */
  throttleNext(n: number, action?: string, status?: 403 | 429): void;
  failNext(fault: Fault): void;
  /** Calls per action: networks.list, subnetworks.aggregatedList, subnetworks.insert, regionOperations.wait, … */
  readonly calls: Record<string, number>;
  readonly faults: FaultBook;
  resetCalls(): void;
  options: Required<ComputeEmulatorOptions>;
}

class GceError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function numericId(): string {
  return BigInt("0x" + randomBytes(7).toString("hex")).toString();
}

function now(): string {
  return new Date().toISOString().replace("Z", "-00:00");
}

const NAME_RE = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `name eq "regex"`, `name ne 'regex'`, `name = "value"`, `name != "value"` (one clause). */
function parseFilter(filter: string): (obj: Record<string, unknown>) => boolean {
  const m =
    /^\s*\(?\s*([A-Za-z]\w*)\s*(eq|ne|=|!=)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+?))\s*\)?\s*$/.exec(
      filter,
    );
  if (!m)
    throw new GceError(
      400,
      "invalid",
      `Invalid value for field 'filter': '${filter}'. Invalid list filter expression.`,
    );
  const [, field, op, dq, sq, bare] = m;
  const raw = (dq ?? sq ?? bare ?? "").replace(/\\(.)/g, "$1");
  const test =
    op === "eq" || op === "ne"
      ? (v: string) => new RegExp(`^(?:${raw})$`).test(v)
      : (v: string) =>
          new RegExp("^" + raw.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*") + "$").test(v);
  const negate = op === "ne" || op === "!=";
  return (obj) => {
    const v = obj[field!];
    const ok = typeof v === "string" && test(v);
    return negate ? !ok : ok;
  };
}

export async function startComputeEmulator(opts: ComputeEmulatorOptions = {}): Promise<ComputeEmulator> {
  const options: Required<ComputeEmulatorOptions> = {
    project: opts.project ?? "test-project",
    maxPageSize: opts.maxPageSize ?? 500,
    operationPolls: opts.operationPolls ?? 1,
    regions: opts.regions ?? [],
    latencyMs: opts.latencyMs ?? 0,
  };
  const networks = new Map<string, EmuNetwork>(); // key project/name
  const subnetworks = new Map<string, EmuSubnetwork>(); // key project/region/name
  const operations = new Map<string, EmuOperation>(); // key project/region/name
  const requestIds = new Map<string, EmuOperation>();
  const faults = new FaultBook();

  const netLink = (project: string, name: string) =>
    `${COMPUTE_SELF_LINK_BASE}projects/${project}/global/networks/${name}`;
  const regionLink = (project: string, region: string) =>
    `${COMPUTE_SELF_LINK_BASE}projects/${project}/regions/${region}`;
  const subLink = (s: EmuSubnetwork) => `${regionLink(s.project, s.region)}/subnetworks/${s.name}`;

  function addNetwork(input: AddNetworkInput): EmuNetwork {
    const project = input.project ?? options.project;
    const n: EmuNetwork = {
      project,
      id: numericId(),
      name: input.name,
      description: input.description,
      autoCreateSubnetworks: false,
      internalIpv6Range: input.internalIpv6Range,
      IPv4Range: input.IPv4Range,
      creationTimestamp: now(),
    };
    networks.set(`${project}/${n.name}`, n);
    return n;
  }

  function addSubnetworkChecked(input: AddSubnetworkInput): EmuSubnetwork {
    const project = input.project ?? options.project;
    const net = networks.get(`${project}/${input.network}`);
    if (!net)
      throw new GceError(
        404,
        "notFound",
        `The resource 'projects/${project}/global/networks/${input.network}' was not found`,
      );
    if (!input.unchecked) {
      if (!NAME_RE.test(input.name))
        throw new GceError(400, "invalid", `Invalid value for field 'resource.name': '${input.name}'.`);
      const ranges = [input.cidr, ...(input.secondaryRanges ?? []).map((r) => r.cidr)];
      for (const c of ranges) {
        if (!isValidCidr(c) || c.includes(":"))
          throw new GceError(
            400,
            "invalid",
            `Invalid value for field 'resource.ipCidrRange': '${c}'. Invalid IPCidrRange: ${c}.`,
          );
      }
      for (let i = 0; i < ranges.length; i++) {
        for (let j = i + 1; j < ranges.length; j++) {
          if (overlaps(ranges[i]!, ranges[j]!))
            throw new GceError(
              400,
              "invalid",
              `Invalid IPCidrRange: ${ranges[j]} conflicts with ${ranges[i]} in the same subnetwork.`,
            );
        }
      }
      for (const s of subnetworks.values()) {
        if (s.project !== project || s.network !== input.network) continue;
        const theirs = [s.ipCidrRange, ...s.secondaryIpRanges.map((r) => r.ipCidrRange)];
        for (const c of ranges) {
          const hit = theirs.find((t) => overlaps(t, c));
          if (hit)
            throw new GceError(
              400,
              "invalid",
              `Invalid IPCidrRange: ${c} conflicts with existing subnetwork '${s.name}' in region '${s.region}'.`,
            );
        }
      }
      if (subnetworks.has(`${project}/${input.region}/${input.name}`)) {
        throw new GceError(
          409,
          "alreadyExists",
          `The resource 'projects/${project}/regions/${input.region}/subnetworks/${input.name}' already exists`,
        );
      }
      if (
        input.ipv6 &&
        net.internalIpv6Range &&
        input.ipv6.accessType !== "EXTERNAL" &&
        !contains(net.internalIpv6Range, input.ipv6.cidr)
      ) {
        throw new GceError(
          400,
          "invalid",
          `IPv6 range ${input.ipv6.cidr} is outside the network's ULA range ${net.internalIpv6Range}.`,
        );
      }
    }
    const s: EmuSubnetwork = {
      project,
      id: numericId(),
      name: input.name,
      region: input.region,
      network: input.network,
      description: input.description,
      ipCidrRange: input.cidr,
      secondaryIpRanges: (input.secondaryRanges ?? []).map((r) => ({
        rangeName: r.name,
        ipCidrRange: r.cidr,
      })),
      stackType: input.ipv6 ? "IPV4_IPV6" : "IPV4_ONLY",
      creationTimestamp: now(),
      state: "READY",
    };
    if (input.ipv6) {
      s.ipv6AccessType = input.ipv6.accessType ?? "INTERNAL";
      s.ipv6CidrRange = input.ipv6.cidr;
      if (s.ipv6AccessType === "INTERNAL") s.internalIpv6Prefix = input.ipv6.cidr;
      else s.externalIpv6Prefix = input.ipv6.cidr;
    }
    subnetworks.set(`${project}/${s.region}/${s.name}`, s);
    return s;
  }

  function addSubnetwork(input: AddSubnetworkInput): EmuSubnetwork {
    try {
      return addSubnetworkChecked(input);
    } catch (e) {
      if (e instanceof GceError) throw new Error(`addSubnetwork: ${e.message}`);
      throw e;
    }
  }

  function allocateIpv6(project: string, networkName: string): string {
    // Deterministic /64 from a /48 (ULA range of the network, or a documentation prefix), next free index.
    const net = networks.get(`${project}/${networkName}`);
    const base = (net?.internalIpv6Range ?? "fd20:0:0::/48").split("/")[0]!.replace(/::$/, "").split(":");
    while (base.length < 3) base.push("0");
    const used = new Set([...subnetworks.values()].map((s) => s.ipv6CidrRange));
    for (let i = 1; i < 0x10000; i++) {
      const c = `${base.slice(0, 3).join(":")}:${i.toString(16)}::/64`;
      if (!used.has(c)) return c;
    }
    throw new GceError(400, "invalid", "no IPv6 space left");
  }

  const networkJson = (n: EmuNetwork) => ({
    kind: "compute#network",
    id: n.id,
    creationTimestamp: n.creationTimestamp,
    name: n.name,
    ...(n.description !== undefined ? { description: n.description } : {}),
    selfLink: netLink(n.project, n.name),
    selfLinkWithId: `${COMPUTE_SELF_LINK_BASE}projects/${n.project}/global/networks/${n.id}`,
    autoCreateSubnetworks: n.autoCreateSubnetworks,
    subnetworks: [...subnetworks.values()]
      .filter((s) => s.project === n.project && s.network === n.name)
      .map(subLink),
    routingConfig: { routingMode: "REGIONAL" },
    networkFirewallPolicyEnforcementOrder: "AFTER_CLASSIC_FIREWALL",
    ...(n.internalIpv6Range ? { internalIpv6Range: n.internalIpv6Range, enableUlaInternalIpv6: true } : {}),
    ...(n.IPv4Range ? { IPv4Range: n.IPv4Range } : {}),
  });

  const subnetworkJson = (s: EmuSubnetwork) => ({
    kind: "compute#subnetwork",
    id: s.id,
    creationTimestamp: s.creationTimestamp,
    name: s.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    network: netLink(s.project, s.network),
    ipCidrRange: s.ipCidrRange,
    gatewayAddress: s.ipCidrRange.replace(/\.0\/\d+$/, ".1"),
    region: regionLink(s.project, s.region),
    selfLink: subLink(s),
    privateIpGoogleAccess: false,
    secondaryIpRanges: s.secondaryIpRanges,
    fingerprint: createHash("sha1").update(s.id).digest("base64").slice(0, 12),
    purpose: "PRIVATE",
    stackType: s.stackType,
    ...(s.ipv6AccessType ? { ipv6AccessType: s.ipv6AccessType } : {}),
    ...(s.ipv6CidrRange ? { ipv6CidrRange: s.ipv6CidrRange } : {}),
    ...(s.internalIpv6Prefix ? { internalIpv6Prefix: s.internalIpv6Prefix } : {}),
    ...(s.externalIpv6Prefix ? { externalIpv6Prefix: s.externalIpv6Prefix } : {}),
    state: s.state,
  });

  const operationJson = (op: EmuOperation) => ({
    kind: "compute#operation",
    id: op.id,
    name: op.name,
    operationType: op.operationType,
    targetLink: op.targetLink,
    targetId: op.targetId,
    status: op.pollsLeft <= 0 ? "DONE" : "RUNNING",
    user: "test@example.com",
    progress: op.pollsLeft <= 0 ? 100 : 0,
    insertTime: op.insertTime,
    startTime: op.insertTime,
    ...(op.pollsLeft <= 0 ? { endTime: now() } : {}),
    ...(op.pollsLeft <= 0 && op.error
      ? { error: { errors: [op.error] }, httpErrorStatusCode: 400, httpErrorMessage: "BAD REQUEST" }
      : {}),
    selfLink: `${regionLink(op.project, op.region)}/operations/${op.name}`,
    region: regionLink(op.project, op.region),
  });

  function newOperation(
    project: string,
    region: string,
    type: string,
    target: EmuSubnetwork,
    requestId?: string,
  ): EmuOperation {
    const op: EmuOperation = {
      project,
      region,
      id: numericId(),
      name: `operation-${Date.now()}-${randomBytes(6).toString("hex")}`,
      operationType: type,
      targetLink: subLink(target),
      targetId: target.id,
      pollsLeft: options.operationPolls,
      insertTime: now(),
    };
    operations.set(`${project}/${region}/${op.name}`, op);
    if (requestId) requestIds.set(`${project}/${requestId}`, op);
    return op;
  }

  function page<T>(items: T[], q: URLSearchParams): { items: T[]; next?: string } {
    const maxText = q.get("maxResults");
    let size = Math.min(options.maxPageSize, 500);
    if (maxText !== null && maxText !== "0") {
      const n = Number(maxText);
      if (!Number.isInteger(n) || n < 0 || n > 500)
        throw new GceError(
          400,
          "invalid",
          `Invalid value for field 'maxResults': '${maxText}'. Must be less than or equal to 500`,
        );
      size = Math.min(size, n);
    }
    const token = q.get("pageToken");
    const offset = token ? decodeToken(token) : 0;
    if (offset === undefined)
      throw new GceError(400, "invalid", `Invalid value for field 'pageToken': '${token}'.`);
    return {
      items: items.slice(offset, offset + size),
      next: offset + size < items.length ? encodeToken(offset + size) : undefined,
    };
  }

  function filtered<T>(items: T[], q: URLSearchParams, view: (t: T) => Record<string, unknown>): T[] {
    const f = q.get("filter");
    if (!f) return items;
    const pred = parseFilter(f);
    return items.filter((t) => pred(view(t)));
  }

  const byKey = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  interface Route {
    action: string;
    method: string;
    re: RegExp;
    run: (m: string[], q: URLSearchParams, body: string) => unknown;
  }
  const P = "^/compute/v1/projects/([^/]+)";
  const routes: Route[] = [
    {
      action: "networks.list",
      method: "GET",
      re: new RegExp(`${P}/global/networks$`),
      run: ([project], q) => {
        const all = filtered(
          [...networks.values()].filter((n) => n.project === project).sort(byKey),
          q,
          (n) => networkJson(n),
        );
        const p = page(all, q);
        return {
          kind: "compute#networkList",
          id: `projects/${project}/global/networks`,
          items: p.items.map(networkJson),
          selfLink: `${COMPUTE_SELF_LINK_BASE}projects/${project}/global/networks`,
          ...(p.next ? { nextPageToken: p.next } : {}),
        };
      },
    },
    {
      action: "networks.get",
      method: "GET",
      re: new RegExp(`${P}/global/networks/([^/]+)$`),
      run: ([project, name]) => {
        const n = networks.get(`${project}/${name}`);
        if (!n)
          throw new GceError(
            404,
            "notFound",
            `The resource 'projects/${project}/global/networks/${name}' was not found`,
          );
        return networkJson(n);
      },
    },
    {
      action: "subnetworks.aggregatedList",
      method: "GET",
      re: new RegExp(`${P}/aggregated/subnetworks$`),
      run: ([project], q) => {
        const all = filtered(
          [...subnetworks.values()]
            .filter((s) => s.project === project)
            .sort((a, b) => (a.region === b.region ? byKey(a, b) : a.region < b.region ? -1 : 1)),
          q,
          (s) => subnetworkJson(s),
        );
        const p = page(all, q);
        const items: Record<string, unknown> = {};
        for (const s of p.items) {
          const k = `regions/${s.region}`;
          const entry = (items[k] ??= { subnetworks: [] }) as { subnetworks: unknown[] };
          entry.subnetworks.push(subnetworkJson(s));
        }
        for (const r of options.regions) {
          items[`regions/${r}`] ??= {
            warning: {
              code: "NO_RESULTS_ON_PAGE",
              message: "There are no results for scope 'regions/" + r + "' on this page.",
              data: [{ key: "scope", value: `regions/${r}` }],
            },
          };
        }
        return {
          kind: "compute#subnetworkAggregatedList",
          id: `projects/${project}/aggregated/subnetworks`,
          items,
          selfLink: `${COMPUTE_SELF_LINK_BASE}projects/${project}/aggregated/subnetworks`,
          ...(p.next ? { nextPageToken: p.next } : {}),
        };
      },
    },
    {
      action: "subnetworks.list",
      method: "GET",
      re: new RegExp(`${P}/regions/([^/]+)/subnetworks$`),
      run: ([project, region], q) => {
        const all = filtered(
          [...subnetworks.values()].filter((s) => s.project === project && s.region === region).sort(byKey),
          q,
          (s) => subnetworkJson(s),
        );
        const p = page(all, q);
        return {
          kind: "compute#subnetworkList",
          id: `projects/${project}/regions/${region}/subnetworks`,
          items: p.items.map(subnetworkJson),
          selfLink: `${regionLink(project!, region!)}/subnetworks`,
          ...(p.next ? { nextPageToken: p.next } : {}),
        };
      },
    },
    {
      action: "subnetworks.get",
      method: "GET",
      re: new RegExp(`${P}/regions/([^/]+)/subnetworks/([^/]+)$`),
      run: ([project, region, name]) => {
        const s = subnetworks.get(`${project}/${region}/${name}`);
        if (!s)
          throw new GceError(
            404,
            "notFound",
            `The resource 'projects/${project}/regions/${region}/subnetworks/${name}' was not found`,
          );
        return subnetworkJson(s);
      },
    },
    {
      action: "subnetworks.insert",
      method: "POST",
      re: new RegExp(`${P}/regions/([^/]+)/subnetworks$`),
      run: ([project, region], q, body) => {
        const requestId = q.get("requestId") ?? undefined;
        const again = requestId ? requestIds.get(`${project}/${requestId}`) : undefined;
        if (again) return operationJson(again);
        const r = JSON.parse(body || "{}") as {
          name?: string;
          network?: string;
          ipCidrRange?: string;
          description?: string;
          secondaryIpRanges?: { rangeName?: string; ipCidrRange?: string }[];
          stackType?: string;
          ipv6AccessType?: "INTERNAL" | "EXTERNAL";
        };
        if (!r.name) throw new GceError(400, "required", "Required field 'resource.name' not specified");
        if (!r.network)
          throw new GceError(400, "required", "Required field 'resource.network' not specified");
        if (!r.ipCidrRange)
          throw new GceError(400, "required", "Required field 'resource.ipCidrRange' not specified");
        const network = r.network.split("/").pop()!;
        const dual = r.stackType === "IPV4_IPV6";
        const s = addSubnetworkChecked({
          project,
          region: region!,
          network,
          name: r.name,
          cidr: r.ipCidrRange,
          description: r.description,
          secondaryRanges: (r.secondaryIpRanges ?? []).map((x) => ({
            name: x.rangeName ?? "",
            cidr: x.ipCidrRange ?? "",
          })),
          ipv6: dual
            ? { cidr: allocateIpv6(project!, network), accessType: r.ipv6AccessType ?? "INTERNAL" }
            : undefined,
        });
        return operationJson(newOperation(project!, region!, "insert", s, requestId));
      },
    },
    {
      action: "subnetworks.delete",
      method: "DELETE",
      re: new RegExp(`${P}/regions/([^/]+)/subnetworks/([^/]+)$`),
      run: ([project, region, name], q) => {
        const requestId = q.get("requestId") ?? undefined;
        const again = requestId ? requestIds.get(`${project}/${requestId}`) : undefined;
        if (again) return operationJson(again);
        const key = `${project}/${region}/${name}`;
        const s = subnetworks.get(key);
        if (!s)
          throw new GceError(
            404,
            "notFound",
            `The resource 'projects/${project}/regions/${region}/subnetworks/${name}' was not found`,
          );
        subnetworks.delete(key);
        return operationJson(newOperation(project!, region!, "delete", s, requestId));
      },
    },
    {
      action: "regionOperations.get",
      method: "GET",
      re: new RegExp(`${P}/regions/([^/]+)/operations/([^/]+)$`),
      run: ([project, region, name]) => {
        const op = operations.get(`${project}/${region}/${name}`);
        if (!op)
          throw new GceError(
            404,
            "notFound",
            `The resource 'projects/${project}/regions/${region}/operations/${name}' was not found`,
          );
        op.pollsLeft--;
        return operationJson(op);
      },
    },
    {
      action: "regionOperations.wait",
      method: "POST",
      re: new RegExp(`${P}/regions/([^/]+)/operations/([^/]+)/wait$`),
      run: ([project, region, name]) => {
        const op = operations.get(`${project}/${region}/${name}`);
        if (!op)
          throw new GceError(
            404,
            "notFound",
            `The resource 'projects/${project}/regions/${region}/operations/${name}' was not found`,
          );
        op.pollsLeft--;
        return operationJson(op);
      },
    },
  ];

  function errorJson(status: number, reason: string, message: string) {
    return {
      error: {
        code: status,
        message,
        errors: [{ message, domain: status === 403 || status === 429 ? "usageLimits" : "global", reason }],
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://x");
    const path = decodeURIComponent(url.pathname);
    if (options.latencyMs > 0) await new Promise((r) => setTimeout(r, options.latencyMs));
    let route: Route | undefined;
    let m: RegExpExecArray | null = null;
    for (const r of routes) {
      if (r.method !== req.method) continue;
      m = r.re.exec(path);
      if (m) {
        route = r;
        break;
      }
    }
    const scope =
      /\/regions\/([^/]+)/.exec(path)?.[1] ?? (path.includes("/aggregated/") ? "aggregated" : "global");
    const send = (status: number, json: unknown, error?: string) => {
      faults.record({ action: route?.action ?? `${req.method} ${path}`, region: scope, status, error });
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(json));
    };
    if (!route || !m)
      return send(404, errorJson(404, "notFound", `No route for ${req.method} ${path}`), "notFound");
    const fault = faults.take(route.action);
    if (fault && !fault.afterApply)
      return send(fault.status, errorJson(fault.status, fault.code, fault.message ?? fault.code), fault.code);
    try {
      const out = route.run(m.slice(1), url.searchParams, body);
      if (fault)
        return send(
          fault.status,
          errorJson(fault.status, fault.code, fault.message ?? fault.code),
          fault.code,
        );
      send(200, out);
    } catch (e) {
      if (e instanceof GceError) return send(e.status, errorJson(e.status, e.reason, e.message), e.reason);
      send(500, errorJson(500, "backendError", String(e)), "backendError");
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const key = (project: string | undefined, region: string, name: string) =>
    `${project ?? options.project}/${region}/${name}`;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    clientOptions: { apiEndpoint: "127.0.0.1", port, protocol: "http", fallback: true },
    options,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    addNetwork,
    addSubnetwork,
    deleteSubnetwork: (region, name, project) => subnetworks.delete(key(project, region, name)),
    getSubnetwork: (region, name, project) => subnetworks.get(key(project, region, name)),
    listNetworks: (project) =>
      [...networks.values()].filter((n) => n.project === (project ?? options.project)),
    listSubnetworks: (f = {}) =>
      [...subnetworks.values()].filter(
        (s) =>
          s.project === (f.project ?? options.project) &&
          (f.region === undefined || s.region === f.region) &&
          (f.network === undefined || s.network === f.network),
      ),
    throttleNext: (n, action, status = 403) =>
      faults.add({
        action,
        count: n,
        status,
        code: status === 429 ? "rateLimitExceeded" : "rateLimitExceeded",
        message: "Rate Limit Exceeded",
      }),
    failNext: (fault) => faults.add(fault),
    get calls() {
      return faults.counts();
    },
    resetCalls: () => {
      faults.resetLog();
      faults.clearFaults();
    },
  };
}
