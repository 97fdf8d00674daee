/** Change notifications as the clouds deliver them, parsed into what to re-read (src/providers/change-events.ts). */
import { describe, expect, it } from "vitest";
import { MalformedChangeMessage, parseAwsChange, parseGcpChange } from "../../src/providers/change-events.js";

const trail = (eventName: string, detail: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: "0",
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.ec2",
    account: "123456789012",
    region: "eu-west-1",
    detail: { eventSource: "ec2.amazonaws.com", eventName, awsRegion: "eu-west-1", ...detail },
    ...top,
  });

describe("parseAwsChange (EventBridge CloudTrail events)", () => {
  it("takes the VPC of a CreateSubnet (flat and wrapped request forms)", () => {
    const flat = trail("CreateSubnet", {
      requestParameters: { vpcId: "vpc-0a1", cidrBlock: "10.0.1.0/24" },
      responseElements: { subnet: { subnetId: "subnet-0b2", vpcId: "vpc-0a1" } },
    });
    const wrapped = trail("CreateSubnet", {
      requestParameters: { CreateSubnetRequest: { VpcId: "vpc-0a1", CidrBlock: "10.0.1.0/24" } },
      responseElements: null,
    });
    for (const body of [flat, wrapped])
      expect(parseAwsChange(body)).toEqual({
        account: "123456789012",
        targets: [{ kind: "vpc", id: "vpc-0a1", region: "eu-west-1" }],
      });
  });

  it("names the subnet when the event has no VPC (DeleteSubnet, DisassociateSubnetCidrBlock)", () => {
    expect(
      parseAwsChange(trail("DeleteSubnet", { requestParameters: { subnetId: "subnet-0c3" } })).targets,
    ).toEqual([{ kind: "subnet", id: "subnet-0c3", region: "eu-west-1" }]);
    const disassociate = trail("DisassociateSubnetCidrBlock", {
      requestParameters: { associationId: "subnet-cidr-assoc-1" },
      responseElements: { subnetId: "subnet-0d4", ipv6CidrBlockAssociation: {} },
    });
    expect(parseAwsChange(disassociate).targets).toEqual([
      { kind: "subnet", id: "subnet-0d4", region: "eu-west-1" },
    ]);
  });

  it("takes every tagged VPC and subnet of CreateTags", () => {
    const tags = trail("CreateTags", {
      requestParameters: {
        resourcesSet: {
          items: [{ resourceId: "subnet-0e5" }, { resourceId: "vpc-0f6" }, { resourceId: "i-0123" }],
        },
      },
    });
    expect(parseAwsChange(tags).targets).toEqual([
      { kind: "vpc", id: "vpc-0f6", region: "eu-west-1" },
      { kind: "subnet", id: "subnet-0e5", region: "eu-west-1" },
    ]);
  });

  it("drops failed calls and calls that change no network", () => {
    expect(
      parseAwsChange(
        trail("CreateSubnet", {
          errorCode: "InvalidSubnet.Conflict",
          requestParameters: { vpcId: "vpc-0a1" },
        }),
      ).targets,
    ).toEqual([]);
    expect(
      parseAwsChange(trail("RunInstances", { requestParameters: { subnetId: "subnet-0b2" } })).targets,
    ).toEqual([]);
    expect(
      parseAwsChange(trail("CreateSubnet", { requestParameters: { vpcId: "vpc-0a1" } }, { source: "aws.s3" }))
        .targets,
    ).toEqual([]);
  });

  it("throws MalformedChangeMessage on a body that is not an event", () => {
    for (const body of [
      "not json",
      "[]",
      JSON.stringify({ hello: "world" }),
      JSON.stringify({ "detail-type": "x" }),
    ])
      expect(() => parseAwsChange(body), body).toThrow(MalformedChangeMessage);
  });
});

const audit = (methodName: string, resourceName: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    protoPayload: { serviceName: "compute.googleapis.com", methodName, resourceName, ...extra },
    resource: { type: "gce_subnetwork" },
  });

describe("parseGcpChange (Cloud Audit Log entries)", () => {
  it("takes the network of a subnetworks.insert from its request", () => {
    const body = audit("v1.compute.subnetworks.insert", "projects/p-1234/regions/us-east1/subnetworks/a", {
      request: { network: "https://www.googleapis.com/compute/v1/projects/p-1234/global/networks/main" },
    });
    expect(parseGcpChange(body)).toEqual({
      account: "p-1234",
      targets: [{ kind: "vpc", id: "projects/p-1234/global/networks/main", region: null }],
    });
  });

  it("names the subnetwork of a delete, and the network of networks.* calls", () => {
    expect(
      parseGcpChange(audit("v1.compute.subnetworks.delete", "projects/p-1234/regions/us-east1/subnetworks/a"))
        .targets,
    ).toEqual([{ kind: "subnet", id: "projects/p-1234/regions/us-east1/subnetworks/a", region: null }]);
    expect(
      parseGcpChange(audit("beta.compute.networks.insert", "projects/p-1234/global/networks/n2")).targets,
    ).toEqual([{ kind: "vpc", id: "projects/p-1234/global/networks/n2", region: null }]);
  });

  it("drops failed calls and other methods; throws on a body that is not an entry", () => {
    expect(
      parseGcpChange(
        audit("v1.compute.subnetworks.insert", "projects/p-1234/regions/r/subnetworks/a", {
          status: { code: 6 },
        }),
      ).targets,
    ).toEqual([]);
    expect(
      parseGcpChange(audit("v1.compute.instances.insert", "projects/p-1234/zones/z/instances/i")).targets,
    ).toEqual([]);
    expect(() => parseGcpChange(JSON.stringify({ textPayload: "hi" }))).toThrow(MalformedChangeMessage);
  });
});
