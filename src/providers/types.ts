/**
 * The cloud provider seam: what CloudPAM needs from AWS and GCP to discover networks and to
 * create/delete the subnets it manages. One Provider instance serves one account (AWS account or
 * GCP project); reconciliation (src/reconcile) builds on these records and never sees an SDK type.
 *
 * Ownership marker (how CloudPAM recognises what it created, and the only thing it may delete):
 *  - AWS: two tags on the subnet, `cloudpam:allocation-id` = <allocation id> and `cloudpam:managed` = "true",
 *    set atomically at creation through CreateSubnet's TagSpecifications.
 *  - GCP: subnetworks have no labels, so the same two `key=value` tokens are written into the
 *    subnetwork's `description` (immutable after creation, set atomically by insert), e.g.
 *    `cloudpam:managed=true cloudpam:allocation-id=alloc-42`. We chose the description over a
 *    side table because it travels with the resource (it survives a CloudPAM database restore and is
 *    visible in the console), and over the subnet name because names are user-facing and limited
 *    to 63 characters. On discovery the tokens are parsed back into `tags`, so both providers
 *    expose the marker the same way.
 */

export type ProviderName = "aws" | "gcp";

export const CLOUDPAM_TAG_ALLOCATION_ID = "cloudpam:allocation-id";
export const CLOUDPAM_TAG_MANAGED = "cloudpam:managed";

export type Tags = Record<string, string>;

/** One address range attached to a VPC or subnet. `cidr` is canonical text as the cloud reports it. */
export interface CloudCidr {
  cidr: string;
  family: 4 | 6;
  /**
   * primary: the VPC's/subnet's main IPv4 range; secondary: an additional IPv4 VPC CIDR association
   * (AWS); ipv6: an IPv6 block (AWS association, GCP internal/external IPv6 range);
   * secondary-range: a GCP subnetwork secondary range (alias IPs), named by `name`.
   */
  role: "primary" | "secondary" | "ipv6" | "secondary-range";
  /** GCP secondary range name (rangeName), or the AWS association id. */
  name?: string;
}

export interface CloudVpc {
  provider: ProviderName;
  /** AWS `vpc-…`; GCP `projects/{project}/global/networks/{name}`. */
  id: string;
  name?: string;
  /** AWS region; undefined for GCP networks (global). */
  region?: string;
  cidrs: CloudCidr[];
  tags: Tags;
  /** AWS `available`/`pending`; GCP `READY`. */
  state: string;
  /** GCP full URL of the network. */
  selfLink?: string;
}

export interface CloudSubnet {
  provider: ProviderName;
  /** AWS `subnet-…`; GCP `projects/{project}/regions/{region}/subnetworks/{name}`. */
  id: string;
  /** Same form as CloudVpc.id. */
  vpcId: string;
  name?: string;
  region: string;
  /** AWS availability zone; undefined for GCP (regional). */
  zone?: string;
  cidrs: CloudCidr[];
  /** AWS tags; GCP: the `key=value` tokens found in the description (see ownership marker above). */
  tags: Tags;
  state: string;
  managedByCloudPam: boolean;
  allocationId?: string;
  selfLink?: string;
}

/**
 * Which part of an account to look at. AWS: `regions` to scan (default: the provider's configured
 * regions). GCP: `project` (default: the provider's project) and, optionally, `regions` to keep.
 */
export interface AccountScope {
  regions?: readonly string[];
  project?: string;
}

/** A VPC to narrow a subnet listing to; a CloudVpc fits. `region` (AWS) avoids scanning every region. */
export interface VpcRef {
  id: string;
  region?: string;
}

/** A subnet to act on; a CloudSubnet fits. */
export interface SubnetRef {
  id: string;
  region: string;
}

export interface CreateSubnetInput {
  vpcId: string;
  /** The IPv4 primary range. */
  cidr: string;
  region: string;
  name: string;
  tags?: Tags;
  /** CloudPAM allocation this subnet realises; written as the ownership marker and used for idempotency. */
  allocationId: string;
  /** AWS only: availability zone. */
  zone?: string;
  /** AWS only: an IPv6 /64 from the VPC's IPv6 block. */
  ipv6Cidr?: string;
  /** GCP only: secondary ranges (alias IP ranges). */
  secondaryRanges?: { name: string; cidr: string }[];
}

export interface Provider {
  readonly name: ProviderName;
  /** Checks credentials and reachability with one cheap read call; throws ProviderError. */
  validate(): Promise<void>;
  listVpcs(scope?: AccountScope): Promise<CloudVpc[]>;
  listSubnets(scope?: AccountScope, vpc?: VpcRef): Promise<CloudSubnet[]>;
  /**
   * One VPC/network re-read by id (AWS: `region` is required), or null when it does not exist (any more).
   * Used by the targeted re-read a change notification triggers (src/reconcile/targeted.ts).
   */
  getVpc(ref: VpcRef): Promise<CloudVpc | null>;
  /** One subnet re-read by id, or null when it does not exist (any more). */
  getSubnet(ref: SubnetRef): Promise<CloudSubnet | null>;
  /**
   * Idempotent per allocationId: if a subnet carrying this allocation id already exists (an earlier
   * attempt whose answer was lost), it is returned instead of creating a second one.
   */
  createSubnet(input: CreateSubnetInput): Promise<CloudSubnet>;
  /** Refuses with UnmanagedResourceError when the subnet does not carry CloudPAM's ownership marker. */
  deleteSubnet(ref: SubnetRef): Promise<void>;
}

/**
 * Allocation ids carried in ownership markers: letters, digits and `_ . : -`, at most 128 characters
 * (fits an AWS tag value and a GCP description token, and needs no quoting in a GCP list filter).
 */
export const ALLOCATION_ID_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

export function cidrFamily(cidr: string): 4 | 6 {
  return cidr.includes(":") ? 6 : 4;
}

/**
 * What a change notification names, to be re-read: a VPC/network, or a subnet (whose VPC is then looked
 * up). Ids are in the provider's form (AWS `vpc-…`/`subnet-…`; GCP `projects/…` paths); region is the AWS
 * region (null for GCP). Only WHERE to look comes from a notification, never what is there.
 */
export type ChangeTarget =
  { kind: "vpc"; id: string; region: string | null } | { kind: "subnet"; id: string; region: string | null };

/** One message of a change feed (an SQS message, a Pub/Sub message). */
export interface ChangeMessage {
  id: string;
  body: string;
  /** Deliveries so far, this one included (SQS ApproximateReceiveCount; Pub/Sub deliveryAttempt). */
  receiveCount: number;
  /** SQS receipt handle / Pub/Sub ack id. */
  handle: string;
}

/**
 * A queue or subscription of change notifications for one account. `receive` long-polls (it returns
 * an empty list after a while without messages) and stops early when `signal` aborts.
 */
export interface ChangeFeed {
  readonly provider: ProviderName;
  /** Queue URL / subscription name, for logs. */
  readonly source: string;
  receive(signal: AbortSignal): Promise<ChangeMessage[]>;
  /** Done with the message: delete (SQS) / acknowledge (Pub/Sub). */
  ack(message: ChangeMessage): Promise<void>;
  /**
   * Gives up on a poison message: moves it to the feed's dead-letter queue (and deletes it) when the feed
   * has one; returns false when it has none (the queue's own redrive policy then applies).
   */
  deadLetter(message: ChangeMessage): Promise<boolean>;
  /** Told when processing a message failed (it stays in the feed and comes again). */
  failed?(message: ChangeMessage): void;
  close(): Promise<void>;
}
