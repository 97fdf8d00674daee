/**
 * Loopback EC2 emulator: a node:http server on 127.0.0.1 (ephemeral port) speaking the EC2 Query
 * protocol that the real EC2Client sends (POST /, form-encoded `Action=…&Version=2016-11-15`), with
 * XML answers in the 2016-11-15 namespace and errors as `<Response><Errors><Error><Code>…`.
 *
 * Regions: one emulator serves every region. The SDK signs each request with SigV4, whose credential
 * scope (`Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/ec2/aws4_request, …`)
 * names the client's region; the emulator reads it from there, so one EC2Client per region pointed at
 * the same endpoint sees only that region's VPCs and subnets. (Signatures are not verified.)
 *
 * Supported actions: DescribeVpcs, DescribeSubnets (VpcId.N / SubnetId.N, Filter.N with vpc-id,
 * subnet-id, state, cidr-block, cidr-block-association.cidr-block, availability-zone, owner-id,
 * tag:<key>, tag-key; `*`/`?` wildcards; MaxResults 5..1000 + NextToken), CreateSubnet (with
 * TagSpecification.N, Ipv6CidrBlock, AvailabilityZone; range and overlap checks), DeleteSubnet.
 *
 * Usage from a test:
 *   const ec2 = await startEc2Emulator({ maxPageSize: 5 });
 *   const vpc = ec2.addVpc({ region: "us-east-1", cidr: "10.0.0.0/16" });
 *   new EC2Client({ region: "us-east-1", endpoint: ec2.url, credentials: EC2_TEST_CREDENTIALS, maxAttempts: 1 });
 *   ec2.throttleNext(2); ec2.failNext({ action: "CreateSubnet", status: 500, code: "InternalError", afterApply: true });
 *   ec2.calls.DescribeSubnets; ec2.faults.log; await ec2.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import { contains, isValidCidr, overlaps, size4 } from "./cidr.js";
import { FaultBook, decodeToken, encodeToken, globMatch, readBody, type Fault } from "./faults.js";

export const EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
export const EC2_TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export type Tags = Record<string, string>;

export interface EmuVpc {
  id: string;
  region: string;
  ownerId: string;
  state: string;
  cidrBlock: string;
  cidrAssociations: { associationId: string; cidrBlock: string; state: string }[];
  ipv6Associations: {
    associationId: string;
    ipv6CidrBlock: string;
    state: string;
    networkBorderGroup: string;
  }[];
  tags: Tags;
  isDefault: boolean;
}

export interface EmuSubnet {
  id: string;
  region: string;
  vpcId: string;
  ownerId: string;
  state: string;
  cidrBlock: string;
  ipv6Associations: { associationId: string; ipv6CidrBlock: string; state: string }[];
  availabilityZone: string;
  tags: Tags;
}

export interface Ec2EmulatorOptions {
  /** Largest page the emulator returns, whatever MaxResults asks (forces pagination). Default 1000. */
  maxPageSize?: number;
  accountId?: string;
  /** Artificial latency per call in ms (default 0). */
  latencyMs?: number;
}

export interface AddVpcInput {
  region: string;
  cidr: string;
  /** Additional IPv4 CIDR associations. */
  secondaryCidrs?: string[];
  ipv6Cidrs?: string[];
  tags?: Tags;
  id?: string;
  state?: string;
}

export interface AddSubnetInput {
  vpcId: string;
  cidr: string;
  ipv6Cidrs?: string[];
  zone?: string;
  tags?: Tags;
  id?: string;
  /** Skip range/overlap validation (to build odd states). */
  unchecked?: boolean;
}

export interface Ec2Emulator {
  /** `http://127.0.0.1:PORT` — pass as EC2Client `endpoint`. */
  url: string;
  port: number;
  close(): Promise<void>;
  addVpc(input: AddVpcInput): EmuVpc;
  addSubnet(input: AddSubnetInput): EmuSubnet;
  deleteSubnet(id: string): boolean;
  deleteVpc(id: string): boolean;
  getSubnet(id: string): EmuSubnet | undefined;
  listVpcs(region?: string): EmuVpc[];
  listSubnets(filter?: { region?: string; vpcId?: string }): EmuSubnet[];
  /** The next `n` calls (of `action`, or any) fail with 503 RequestLimitExceeded. */
  throttleNext(n: number, action?: string): void;
  /** Arbitrary error on demand; `afterApply` makes the call take effect before failing. */
  failNext(fault: Fault): void;
  /** Calls so far per action, e.g. `calls.DescribeSubnets`. */
  readonly calls: Record<string, number>;
  /** Fault queue and full call log (action, region, status, error code). */
  readonly faults: FaultBook;
  /** Clears the call log and pending faults (state is kept). */
  resetCalls(): void;
  /** Access key ids seen in the requests' SigV4 credential scope (who signed them). */
  readonly accessKeyIds: Set<string>;
  options: Required<Ec2EmulatorOptions>;
}

class Ec2Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const esc = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
const el = (tag: string, content: string | number | boolean) =>
  `<${tag}>${typeof content === "string" ? content : String(content)}</${tag}>`;
const txt = (tag: string, value: string | number | boolean) =>
  el(tag, typeof value === "string" ? esc(value) : value);
const set = (tag: string, items: string[]) =>
  `<${tag}>${items.map((i) => `<item>${i}</item>`).join("")}</${tag}>`;
const tagSet = (tags: Tags) =>
  set(
    "tagSet",
    Object.entries(tags).map(([k, v]) => txt("key", k) + txt("value", v)),
  );

function hexId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

function regionOf(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? "";
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/ec2\/aws4_request/.exec(auth);
  return m?.[1] ?? "us-east-1";
}

/** `Filter.1.Name=vpc-id&Filter.1.Value.1=…` → [{ name, values }]; `VpcId.1=…` → list. */
function indexedList(params: URLSearchParams, prefix: string): string[] {
  const out: [number, string][] = [];
  for (const [k, v] of params) {
    const m = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)$`).exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function filters(params: URLSearchParams): { name: string; values: string[] }[] {
  const out: { name: string; values: string[] }[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    out.push({ name: params.get(`Filter.${i}.Name`)!, values: indexedList(params, `Filter.${i}.Value`) });
  }
  return out;
}

function tagSpecs(params: URLSearchParams, resourceType: string): Tags {
  const tags: Tags = {};
  for (let i = 1; params.has(`TagSpecification.${i}.ResourceType`); i++) {
    if (params.get(`TagSpecification.${i}.ResourceType`) !== resourceType) {
      throw new Ec2Error(
        400,
        "InvalidParameterValue",
        `'${params.get(`TagSpecification.${i}.ResourceType`)}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (let j = 1; params.has(`TagSpecification.${i}.Tag.${j}.Key`); j++) {
      tags[params.get(`TagSpecification.${i}.Tag.${j}.Key`)!] =
        params.get(`TagSpecification.${i}.Tag.${j}.Value`) ?? "";
    }
  }
  return tags;
}

type Fields = (name: string) => string[] | undefined;

/** Rejects unknown filter names up front, as EC2 does, even when nothing would be matched. */
function checkFilterNames(fs: { name: string }[], allowed: string[]): void {
  for (const f of fs) {
    if (!f.name.startsWith("tag:") && f.name !== "tag-key" && !allowed.includes(f.name)) {
      throw new Ec2Error(400, "InvalidParameterValue", `The filter '${f.name}' is invalid`);
    }
  }
}

function matchFilters(
  fs: { name: string; values: string[] }[],
  fields: Fields,
  tags: Tags,
  allowed: string[],
): boolean {
  for (const f of fs) {
    let candidates: string[];
    if (f.name.startsWith("tag:")) {
      const v = tags[f.name.slice(4)];
      candidates = v === undefined ? [] : [v];
    } else if (f.name === "tag-key") {
      candidates = Object.keys(tags);
    } else if (allowed.includes(f.name)) {
      candidates = fields(f.name) ?? [];
    } else {
      throw new Ec2Error(400, "InvalidParameterValue", `The filter '${f.name}' is invalid`);
    }
    if (!f.values.some((p) => candidates.some((c) => globMatch(p, c)))) return false;
  }
  return true;
}

const VPC_FILTERS = [
  "vpc-id",
  "state",
  "cidr-block",
  "cidr",
  "cidr-block-association.cidr-block",
  "ipv6-cidr-block-association.ipv6-cidr-block",
  "owner-id",
  "is-default",
];
const SUBNET_FILTERS = [
  "vpc-id",
  "subnet-id",
  "state",
  "cidr-block",
  "availability-zone",
  "owner-id",
  "ipv6-cidr-block-association.ipv6-cidr-block",
];

export async function startEc2Emulator(opts: Ec2EmulatorOptions = {}): Promise<Ec2Emulator> {
  const options: Required<Ec2EmulatorOptions> = {
    maxPageSize: opts.maxPageSize ?? 1000,
    accountId: opts.accountId ?? "123456789012",
    latencyMs: opts.latencyMs ?? 0,
  };
  const vpcs = new Map<string, EmuVpc>();
  const subnets = new Map<string, EmuSubnet>();
  const faults = new FaultBook();
  const accessKeyIds = new Set<string>();

  function addVpc(input: AddVpcInput): EmuVpc {
    const all = [input.cidr, ...(input.secondaryCidrs ?? []), ...(input.ipv6Cidrs ?? [])];
    for (const c of all) if (!isValidCidr(c)) throw new Error(`addVpc: bad CIDR ${c}`);
    const vpc: EmuVpc = {
      id: input.id ?? hexId("vpc"),
      region: input.region,
      ownerId: options.accountId,
      state: input.state ?? "available",
      cidrBlock: input.cidr,
      cidrAssociations: [input.cidr, ...(input.secondaryCidrs ?? [])].map((c) => ({
        associationId: hexId("vpc-cidr-assoc"),
        cidrBlock: c,
        state: "associated",
      })),
      ipv6Associations: (input.ipv6Cidrs ?? []).map((c) => ({
        associationId: hexId("vpc-cidr-assoc"),
        ipv6CidrBlock: c,
        state: "associated",
        networkBorderGroup: input.region,
      })),
      tags: { ...input.tags },
      isDefault: false,
    };
    vpcs.set(vpc.id, vpc);
    return vpc;
  }

  function createSubnetIn(vpc: EmuVpc, input: AddSubnetInput): EmuSubnet {
    if (!input.unchecked) {
      if (!isValidCidr(input.cidr) || input.cidr.includes(":")) {
        throw new Ec2Error(
          400,
          "InvalidParameterValue",
          `Value (${input.cidr}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
        );
      }
      if (!vpc.cidrAssociations.some((a) => contains(a.cidrBlock, input.cidr))) {
        throw new Ec2Error(400, "InvalidSubnet.Range", `The CIDR '${input.cidr}' is invalid.`);
      }
      for (const s of subnets.values()) {
        if (s.vpcId === vpc.id && overlaps(s.cidrBlock, input.cidr)) {
          throw new Ec2Error(
            400,
            "InvalidSubnet.Conflict",
            `The CIDR '${input.cidr}' conflicts with another subnet`,
          );
        }
      }
      for (const c of input.ipv6Cidrs ?? []) {
        if (!isValidCidr(c) || !vpc.ipv6Associations.some((a) => contains(a.ipv6CidrBlock, c))) {
          throw new Ec2Error(400, "InvalidSubnet.Range", `The IPv6 CIDR '${c}' is invalid.`);
        }
        for (const s of subnets.values()) {
          if (s.vpcId === vpc.id && s.ipv6Associations.some((a) => overlaps(a.ipv6CidrBlock, c))) {
            throw new Ec2Error(
              400,
              "InvalidSubnet.Conflict",
              `The CIDR '${c}' conflicts with another subnet`,
            );
          }
        }
      }
    }
    const subnet: EmuSubnet = {
      id: input.id ?? hexId("subnet"),
      region: vpc.region,
      vpcId: vpc.id,
      ownerId: options.accountId,
      state: "available",
      cidrBlock: input.cidr,
      ipv6Associations: (input.ipv6Cidrs ?? []).map((c) => ({
        associationId: hexId("subnet-cidr-assoc"),
        ipv6CidrBlock: c,
        state: "associated",
      })),
      availabilityZone: input.zone ?? `${vpc.region}a`,
      tags: { ...input.tags },
    };
    subnets.set(subnet.id, subnet);
    return subnet;
  }

  function addSubnet(input: AddSubnetInput): EmuSubnet {
    const vpc = vpcs.get(input.vpcId);
    if (!vpc) throw new Error(`addSubnet: no VPC ${input.vpcId}`);
    return createSubnetIn(vpc, input);
  }

  const vpcXml = (v: EmuVpc) =>
    txt("vpcId", v.id) +
    txt("ownerId", v.ownerId) +
    txt("state", v.state) +
    txt("cidrBlock", v.cidrBlock) +
    set(
      "cidrBlockAssociationSet",
      v.cidrAssociations.map(
        (a) =>
          txt("cidrBlock", a.cidrBlock) +
          txt("associationId", a.associationId) +
          el("cidrBlockState", txt("state", a.state)),
      ),
    ) +
    set(
      "ipv6CidrBlockAssociationSet",
      v.ipv6Associations.map(
        (a) =>
          txt("ipv6CidrBlock", a.ipv6CidrBlock) +
          txt("associationId", a.associationId) +
          el("ipv6CidrBlockState", txt("state", a.state)) +
          txt("networkBorderGroup", a.networkBorderGroup) +
          txt("ipv6Pool", "Amazon"),
      ),
    ) +
    txt("dhcpOptionsId", "dopt-00000000") +
    tagSet(v.tags) +
    txt("instanceTenancy", "default") +
    txt("isDefault", v.isDefault);

  const subnetXml = (s: EmuSubnet) =>
    txt("subnetId", s.id) +
    txt("subnetArn", `arn:aws:ec2:${s.region}:${s.ownerId}:subnet/${s.id}`) +
    txt("state", s.state) +
    txt("ownerId", s.ownerId) +
    txt("vpcId", s.vpcId) +
    txt("cidrBlock", s.cidrBlock) +
    set(
      "ipv6CidrBlockAssociationSet",
      s.ipv6Associations.map(
        (a) =>
          txt("ipv6CidrBlock", a.ipv6CidrBlock) +
          txt("associationId", a.associationId) +
          el("ipv6CidrBlockState", txt("state", a.state)),
      ),
    ) +
    txt("availableIpAddressCount", Math.max(0, size4(s.cidrBlock) - 5)) +
    txt("availabilityZone", s.availabilityZone) +
    txt("availabilityZoneId", `${s.region.replace(/-/g, "").slice(0, 4)}-az1`) +
    txt("defaultForAz", false) +
    txt("mapPublicIpOnLaunch", false) +
    txt("assignIpv6AddressOnCreation", false) +
    txt("ipv6Native", false) +
    tagSet(s.tags);

  function page<T>(items: T[], params: URLSearchParams): { items: T[]; next?: string } {
    const maxText = params.get("MaxResults");
    let size = options.maxPageSize;
    if (maxText !== null) {
      const n = Number(maxText);
      if (!Number.isInteger(n) || n < 5 || n > 1000) {
        throw new Ec2Error(
          400,
          "InvalidParameterValue",
          `Value ( ${maxText} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
        );
      }
      size = Math.min(size, n);
    }
    const token = params.get("NextToken");
    const offset = token ? decodeToken(token) : 0;
    if (offset === undefined) throw new Ec2Error(400, "InvalidPaginationToken", `Invalid pagination token`);
    const slice = items.slice(offset, offset + size);
    return { items: slice, next: offset + size < items.length ? encodeToken(offset + size) : undefined };
  }

  type Handler = (params: URLSearchParams, region: string, fault: Fault | undefined) => string;
  const handlers: Record<string, Handler> = {
    DescribeVpcs(params, region) {
      const ids = indexedList(params, "VpcId");
      const fs = filters(params);
      checkFilterNames(fs, VPC_FILTERS);
      const items = [...vpcs.values()].filter(
        (v) =>
          v.region === region &&
          (ids.length === 0 || ids.includes(v.id)) &&
          matchFilters(
            fs,
            (n) =>
              ({
                "vpc-id": [v.id],
                state: [v.state],
                "cidr-block": [v.cidrBlock],
                cidr: [v.cidrBlock],
                "cidr-block-association.cidr-block": v.cidrAssociations.map((a) => a.cidrBlock),
                "ipv6-cidr-block-association.ipv6-cidr-block": v.ipv6Associations.map((a) => a.ipv6CidrBlock),
                "owner-id": [v.ownerId],
                "is-default": [String(v.isDefault)],
              })[n],
            v.tags,
            [
              "vpc-id",
              "state",
              "cidr-block",
              "cidr",
              "cidr-block-association.cidr-block",
              "ipv6-cidr-block-association.ipv6-cidr-block",
              "owner-id",
              "is-default",
            ],
          ),
      );
      for (const id of ids)
        if (!items.some((v) => v.id === id))
          throw new Ec2Error(400, "InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`);
      const p = page(items, params);
      return set("vpcSet", p.items.map(vpcXml)) + (p.next ? txt("nextToken", p.next) : "");
    },
    DescribeSubnets(params, region) {
      const ids = indexedList(params, "SubnetId");
      const fs = filters(params);
      checkFilterNames(fs, SUBNET_FILTERS);
      const items = [...subnets.values()].filter(
        (s) =>
          s.region === region &&
          (ids.length === 0 || ids.includes(s.id)) &&
          matchFilters(
            fs,
            (n) =>
              ({
                "vpc-id": [s.vpcId],
                "subnet-id": [s.id],
                state: [s.state],
                "cidr-block": [s.cidrBlock],
                "availability-zone": [s.availabilityZone],
                "owner-id": [s.ownerId],
                "ipv6-cidr-block-association.ipv6-cidr-block": s.ipv6Associations.map((a) => a.ipv6CidrBlock),
              })[n],
            s.tags,
            [
              "vpc-id",
              "subnet-id",
              "state",
              "cidr-block",
              "availability-zone",
              "owner-id",
              "ipv6-cidr-block-association.ipv6-cidr-block",
            ],
          ),
      );
      for (const id of ids)
        if (!items.some((s) => s.id === id))
          throw new Ec2Error(400, "InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
      const p = page(items, params);
      return set("subnetSet", p.items.map(subnetXml)) + (p.next ? txt("nextToken", p.next) : "");
    },
    CreateSubnet(params, region) {
      const vpcId = params.get("VpcId");
      const cidr = params.get("CidrBlock");
      if (!vpcId) throw new Ec2Error(400, "MissingParameter", "The request must contain the parameter VpcId");
      if (!cidr)
        throw new Ec2Error(400, "MissingParameter", "The request must contain the parameter CidrBlock");
      const vpc = vpcs.get(vpcId);
      if (!vpc || vpc.region !== region)
        throw new Ec2Error(400, "InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
      const zone = params.get("AvailabilityZone") ?? undefined;
      if (zone && !zone.startsWith(region))
        throw new Ec2Error(
          400,
          "InvalidParameterValue",
          `Value (${zone}) for parameter availabilityZone is invalid.`,
        );
      const ipv6 = params.get("Ipv6CidrBlock");
      const s = createSubnetIn(vpc, {
        vpcId,
        cidr,
        zone,
        ipv6Cidrs: ipv6 ? [ipv6] : [],
        tags: tagSpecs(params, "subnet"),
      });
      return el("subnet", subnetXml(s));
    },
    DeleteSubnet(params, region) {
      const id = params.get("SubnetId") ?? "";
      const s = subnets.get(id);
      if (!s || s.region !== region)
        throw new Ec2Error(400, "InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
      subnets.delete(id);
      return txt("return", true);
    },
  };

  function errorXml(code: string, message: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const params = new URLSearchParams(req.method === "POST" ? body : ((req.url ?? "").split("?")[1] ?? ""));
    const action = params.get("Action") ?? "";
    const region = regionOf(req);
    const keyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1];
    if (keyId) accessKeyIds.add(keyId);
    if (options.latencyMs > 0) await new Promise((r) => setTimeout(r, options.latencyMs));
    const send = (status: number, xml: string, error?: string) => {
      faults.record({ action, region, status, error });
      res.writeHead(status, { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": randomUUID() });
      res.end(xml);
    };
    const handler = handlers[action];
    if (!handler)
      return send(
        400,
        errorXml("InvalidAction", `The action ${action} is not valid for this web service.`),
        "InvalidAction",
      );
    const fault = faults.take(action);
    if (fault && !fault.afterApply)
      return send(fault.status, errorXml(fault.code, fault.message ?? fault.code), fault.code);
    try {
      const inner = handler(params, region, fault);
      if (fault) return send(fault.status, errorXml(fault.code, fault.message ?? fault.code), fault.code);
      send(
        200,
        `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${randomUUID()}</requestId>${inner}</${action}Response>`,
      );
    } catch (e) {
      if (e instanceof Ec2Error) return send(e.status, errorXml(e.code, e.message), e.code);
      send(500, errorXml("InternalError", String(e)), "InternalError");
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    options,
    faults,
    accessKeyIds,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    addVpc,
    addSubnet,
    deleteSubnet: (id) => subnets.delete(id),
    deleteVpc: (id) => vpcs.delete(id),
    getSubnet: (id) => subnets.get(id),
    listVpcs: (region) => [...vpcs.values()].filter((v) => region === undefined || v.region === region),
    listSubnets: (f = {}) =>
      [...subnets.values()].filter(
        (s) =>
          (f.region === undefined || s.region === f.region) && (f.vpcId === undefined || s.vpcId === f.vpcId),
      ),
    throttleNext: (n, action) =>
      faults.add({
        action,
        count: n,
        status: 503,
        code: "RequestLimitExceeded",
        message: "Request limit exceeded.",
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
