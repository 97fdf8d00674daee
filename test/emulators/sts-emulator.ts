/**
 * Loopback STS emulator: a node:http server on 127.0.0.1 (ephemeral port) answering the AWS Query
 * protocol that the SDK's STS client sends for AssumeRole (`POST /`, form-encoded
 * `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…&ExternalId=…`) with temporary
 * credentials in the 2011-06-15 XML namespace. Each AssumeRole issues a new access key id (`ASIA…`).
 *
 * `requireExternalId` makes a call without that ExternalId fail with AccessDenied (403), as a role trust
 * policy with an sts:ExternalId condition does.
 *
 * Usage from a test:
 *   const sts = await startStsEmulator({ requireExternalId: "ext-1" });
 *   providerOverrides.aws.stsEndpoint = sts.url;   // fromTemporaryCredentials' STS client
 *   sts.assumed[0].roleArn; sts.issued[0].accessKeyId; await sts.close();
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import { readBody } from "./faults.js";

const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";

export interface StsEmulator {
  url: string;
  close(): Promise<void>;
  /** Every AssumeRole call: its parameters and the access key id that signed it. */
  readonly assumed: {
    roleArn: string;
    sessionName: string;
    externalId: string | null;
    callerKeyId: string | null;
  }[];
  /** Credentials handed out, in order. */
  readonly issued: { accessKeyId: string; secretAccessKey: string; sessionToken: string }[];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export async function startStsEmulator(
  opts: { requireExternalId?: string; durationSeconds?: number } = {},
): Promise<StsEmulator> {
  const assumed: StsEmulator["assumed"] = [];
  const issued: StsEmulator["issued"] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const p = new URLSearchParams(body);
      const reply = (status: number, xml: string) => {
        res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomUUID() });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
      };
      const error = (status: number, code: string, message: string) =>
        reply(
          status,
          `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
      if (p.get("Action") !== "AssumeRole")
        return error(400, "InvalidAction", `unsupported ${p.get("Action")}`);
      const roleArn = p.get("RoleArn") ?? "";
      const sessionName = p.get("RoleSessionName") ?? "";
      const externalId = p.get("ExternalId");
      const callerKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? null;
      assumed.push({ roleArn, sessionName, externalId, callerKeyId });
      const m = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
      if (!m) return error(400, "ValidationError", `${roleArn} is not a role ARN`);
      if (opts.requireExternalId !== undefined && externalId !== opts.requireExternalId)
        return error(403, "AccessDenied", `not authorized to perform sts:AssumeRole on ${roleArn}`);
      const creds = {
        accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
        secretAccessKey: randomBytes(20).toString("base64"),
        sessionToken: randomBytes(32).toString("base64"),
      };
      issued.push(creds);
      const expiration = new Date(Date.now() + (opts.durationSeconds ?? 3600) * 1000).toISOString();
      reply(
        200,
        `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>${creds.accessKeyId}</AccessKeyId><SecretAccessKey>${esc(creds.secretAccessKey)}</SecretAccessKey><SessionToken>${esc(creds.sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA${randomBytes(6).toString("hex").toUpperCase()}:${esc(sessionName)}</AssumedRoleId><Arn>arn:aws:sts::${m[1]}:assumed-role/${esc(m[2]!)}/${esc(sessionName)}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    assumed,
    issued,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
