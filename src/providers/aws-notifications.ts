/**
 * The AWS change feed: an SQS queue that an EventBridge rule fills with the account's CloudTrail EC2
 * events, consumed with @aws-sdk/client-sqs. ReceiveMessage long-polls (WaitTimeSeconds 20, up to 10
 * messages, with ApproximateReceiveCount); a processed message is deleted; a poison one is, after
 * `maxReceiveCount` receives, sent to the dead-letter queue `deadLetterQueueUrl` and then deleted. Without
 * a dead-letter URL the message is left alone, for the queue's own redrive policy to move.
 *
 * Credentials: as the account's EC2 provider (explicit ones, else the SDK default chain; with `roleArn`,
 * the assumed role). Region: the one in the queue URL (`https://sqs.<region>.amazonaws.com/…`), else
 * `region`.
 */
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import { awsCredentials, type AwsCredentialOptions } from "./aws.js";
import type { ChangeFeed, ChangeMessage } from "./types.js";

export interface SqsFeedOptions extends AwsCredentialOptions {
  queueUrl: string;
  deadLetterQueueUrl?: string;
  /** Region when the queue URL does not name one. */
  region: string;
  /** Endpoint override (emulator, VPC endpoint); default: the queue URL's host. */
  endpoint?: string;
  /** Long-poll wait per receive, 0..20 s (default 20). */
  waitTimeSeconds?: number;
}

export function regionOfQueueUrl(url: string): string | undefined {
  return /^https?:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];
}

export class SqsChangeFeed implements ChangeFeed {
  readonly provider = "aws" as const;
  readonly source: string;
  readonly client: SQSClient;
  private readonly opts: SqsFeedOptions;

  constructor(opts: SqsFeedOptions) {
    this.opts = opts;
    this.source = opts.queueUrl;
    const region = regionOfQueueUrl(opts.queueUrl) ?? opts.region;
    const config: SQSClientConfig = {
      region,
      credentials: awsCredentials({ ...opts, stsRegion: opts.stsRegion ?? region }),
      maxAttempts: 1,
    };
    if (opts.endpoint) config.endpoint = opts.endpoint;
    this.client = new SQSClient(config);
  }

  async receive(signal: AbortSignal): Promise<ChangeMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.opts.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: this.opts.waitTimeSeconds ?? 20,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
      { abortSignal: signal },
    );
    return (out.Messages ?? []).map((m) => ({
      id: m.MessageId ?? "",
      body: m.Body ?? "",
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
      handle: m.ReceiptHandle ?? "",
    }));
  }

  async ack(message: ChangeMessage): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.opts.queueUrl, ReceiptHandle: message.handle }),
    );
  }

  async deadLetter(message: ChangeMessage): Promise<boolean> {
    if (!this.opts.deadLetterQueueUrl) return false;
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.opts.deadLetterQueueUrl,
        MessageBody: message.body,
        MessageAttributes: {
          "cloudpam-source-queue": { DataType: "String", StringValue: this.opts.queueUrl },
          "cloudpam-receive-count": { DataType: "Number", StringValue: String(message.receiveCount) },
        },
      }),
    );
    await this.ack(message);
    return true;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
