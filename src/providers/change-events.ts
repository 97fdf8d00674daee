/**
 * Change notifications as the clouds deliver them, parsed into what to re-read (ChangeTarget). Pure and
 * SDK-free. Only identifiers are taken from a message; its payload is never used as the resource's state.
 *
 * AWS: EventBridge events of CloudTrail management events ("detail-type": "AWS API Call via CloudTrail",
 * "source": "aws.ec2") for the EC2 calls that change VPCs, subnets, their CIDRs or their tags. The VPC
 * and subnet ids are found in requestParameters/responseElements (both the flat `vpcId` form and the
 * wrapped `CreateSubnetRequest: { VpcId }` form). A failed call (errorCode) changes nothing.
 * GCP: Cloud Audit Log entries (LogEntry JSON, as a log sink publishes them) of
 * `compute.subnetworks.*` / `compute.networks.*` methods; the network comes from resourceName and, for a
 * subnetwork insert, from request.network. A failed call (status.code != 0) changes nothing.
 *
 * A body that is not such a message at all (not JSON, not an event) throws: it is poison and goes
 * the dead-letter way. A well-formed event about something else parses to no targets and is dropped.
 */
import type { ChangeTarget } from "./types.js";

export class MalformedChangeMessage extends Error {}

/** The EC2 calls (CloudTrail eventName) whose effect a re-read must see. */
export const AWS_CHANGE_EVENTS = new Set([
  "CreateVpc",
  "DeleteVpc",
  "AssociateVpcCidrBlock",
  "DisassociateVpcCidrBlock",
  "CreateSubnet",
  "DeleteSubnet",
  "AssociateSubnetCidrBlock",
  "DisassociateSubnetCidrBlock",
  "CreateDefaultVpc",
  "CreateDefaultSubnet",
  "CreateTags",
  "DeleteTags",
]);

export interface ParsedChange {
  /** The cloud account (AWS 12-digit id / GCP project) the event says it is about, if it says. */
  account: string | null;
  targets: ChangeTarget[];
}

function parseJson(body: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new MalformedChangeMessage("message body is not JSON");
  }
  if (!v || typeof v !== "object" || Array.isArray(v))
    throw new MalformedChangeMessage("message body is not a JSON object");
  return v as Record<string, unknown>;
}

const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** Every string value under keys named like `keys` (case-insensitive), at most `depth` levels down. */
function collect(v: unknown, keys: Set<string>, out: Set<string>, depth = 6): void {
  if (depth < 0 || v === null || typeof v !== "object") return;
  if (Array.isArray(v)) {
    for (const x of v) collect(x, keys, out, depth - 1);
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string" && keys.has(k.toLowerCase())) out.add(x);
    else collect(x, keys, out, depth - 1);
  }
}

/** An EventBridge event of a CloudTrail EC2 call, as SQS delivers it (the event JSON is the body). */
export function parseAwsChange(body: string): ParsedChange {
  const e = parseJson(body);
  const detail = obj(e.detail);
  if (typeof e["detail-type"] !== "string" || !detail)
    throw new MalformedChangeMessage("not an EventBridge event (detail-type/detail missing)");
  const account = typeof e.account === "string" ? e.account : null;
  const name = typeof detail.eventName === "string" ? detail.eventName : "";
  if (e.source !== "aws.ec2" || !AWS_CHANGE_EVENTS.has(name) || detail.errorCode !== undefined)
    return { account, targets: [] };
  const region =
    typeof detail.awsRegion === "string" ? detail.awsRegion : typeof e.region === "string" ? e.region : null;
  const ids = new Set<string>();
  const where = [detail.requestParameters, detail.responseElements];
  collect(where, new Set(["vpcid", "subnetid", "resourceid"]), ids);
  const vpcs = [...ids].filter((id) => /^vpc-[0-9a-f]+$/.test(id));
  const subnets = [...ids].filter((id) => /^subnet-[0-9a-f]+$/.test(id));
  // A subnet's VPC, when named, covers the subnet.
  const targets: ChangeTarget[] = vpcs.map((id) => ({ kind: "vpc", id, region }));
  if (vpcs.length === 0 || name === "CreateTags" || name === "DeleteTags")
    for (const id of subnets) targets.push({ kind: "subnet", id, region });
  return { account, targets };
}

const GCP_METHOD = /(?:^|\.)compute\.(subnetworks|networks)\.[A-Za-z]+$/;
const GCP_NETWORK = /projects\/[^/]+\/global\/networks\/[^/]+$/;
const GCP_SUBNET = /projects\/[^/]+\/regions\/[^/]+\/subnetworks\/[^/]+$/;

/** A Cloud Audit Log entry (the LogEntry JSON a log sink publishes to Pub/Sub). */
export function parseGcpChange(body: string): ParsedChange {
  const entry = parseJson(body);
  const payload = obj(entry.protoPayload);
  if (!payload) throw new MalformedChangeMessage("not an audit log entry (protoPayload missing)");
  const method = typeof payload.methodName === "string" ? payload.methodName : "";
  const status = obj(payload.status);
  const resourceName = typeof payload.resourceName === "string" ? payload.resourceName : "";
  const project = /^projects\/([^/]+)\//.exec(resourceName)?.[1] ?? null;
  const m = GCP_METHOD.exec(method);
  if (!m || (status && typeof status.code === "number" && status.code !== 0))
    return { account: project, targets: [] };
  const targets: ChangeTarget[] = [];
  const request = obj(payload.request);
  const network = typeof request?.network === "string" ? GCP_NETWORK.exec(request.network)?.[0] : undefined;
  if (network) targets.push({ kind: "vpc", id: network, region: null });
  if (m[1] === "networks") {
    const n = GCP_NETWORK.exec(resourceName)?.[0];
    if (n && n !== network) targets.push({ kind: "vpc", id: n, region: null });
  } else if (!network) {
    const s = GCP_SUBNET.exec(resourceName)?.[0];
    if (s) targets.push({ kind: "subnet", id: s, region: null });
  }
  return { account: project, targets };
}
