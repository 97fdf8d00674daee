/**
 * Loopback SQS emulator: a node:http server on 127.0.0.1 (ephemeral port) speaking the AWS JSON 1.0
 * protocol that @aws-sdk/client-sqs sends (`POST /`, `X-Amz-Target: AmazonSQS.ReceiveMessage`,
 * `content-type: application/x-amz-json-1.0`), with JSON answers and errors as
 * `{ "__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": … }` plus the `x-amzn-query-error` header.
 *
 * Semantics kept: long polling (ReceiveMessage holds the request up to WaitTimeSeconds until a message is
 * visible), visibility timeout (queue attribute VisibilityTimeout, default 30 s, or the receive's own),
 * receipt handles that change per receive, ApproximateReceiveCount, MD5OfBody / MD5OfMessageBody (the SDK
 * verifies them), DeleteMessage by receipt handle. No redrive policy: CloudPAM moves poison messages to
 * its dead-letter queue itself (account setting deadLetterQueueUrl).
 *
 * Supported actions: CreateQueue, GetQueueUrl, SendMessage, ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility, GetQueueAttributes (ApproximateNumberOfMessages*).
 *
 * Usage from a test:
 *   const sqs = await startSqsEmulator();
 *   const url = sqs.createQueue("cloudpam-events", { VisibilityTimeout: "0" });
 *   sqs.send(url, JSON.stringify(event)); sqs.messages(url); sqs.calls.ReceiveMessage; await sqs.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomUUID } from "node:crypto";
import { readBody } from "./faults.js";

export interface SqsMessage {
  id: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  /** Epoch ms before which the message is invisible (in flight). */
  invisibleUntil: number;
  receiptHandle: string | null;
}

interface Queue {
  name: string;
  url: string;
  attributes: Record<string, string>;
  messages: SqsMessage[];
}

export interface SqsEmulator {
  /** `http://127.0.0.1:PORT`: pass as SQSClient `endpoint`. */
  url: string;
  close(): Promise<void>;
  createQueue(name: string, attributes?: Record<string, string>): string;
  /** Enqueues a message (as SendMessage would); returns its id. */
  send(queueUrl: string, body: string): string;
  /** Messages still in the queue (visible or in flight). */
  messages(queueUrl: string): SqsMessage[];
  /** Calls so far per action. */
  readonly calls: Record<string, number>;
  /** Access key ids seen in the requests' SigV4 credential scope. */
  readonly accessKeyIds: Set<string>;
}

class SqsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");

export async function startSqsEmulator(
  opts: { accountId?: string; region?: string } = {},
): Promise<SqsEmulator> {
  const accountId = opts.accountId ?? "123456789012";
  const queues = new Map<string, Queue>();
  const calls: Record<string, number> = {};
  const accessKeyIds = new Set<string>();
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let base = "";

  const wake = () => {
    for (const w of [...waiters]) w();
  };
  /** Wakes long polls when an in-flight message becomes visible again. */
  const wakeAt = (at: number) => {
    const t = setTimeout(
      () => {
        timers.delete(t);
        wake();
      },
      Math.max(0, at - Date.now()) + 1,
    );
    timers.add(t);
  };

  function queueOf(url: unknown): Queue {
    const q = typeof url === "string" ? queues.get(url) : undefined;
    if (!q)
      throw new SqsError(
        400,
        "com.amazonaws.sqs#QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
      );
    return q;
  }

  function createQueue(name: string, attributes: Record<string, string> = {}): string {
    const url = `${base}/${accountId}/${name}`;
    if (!queues.has(url))
      queues.set(url, { name, url, attributes: { VisibilityTimeout: "30", ...attributes }, messages: [] });
    return url;
  }

  function send(queueUrl: string, body: string): string {
    const q = queueOf(queueUrl);
    const m: SqsMessage = {
      id: randomUUID(),
      body,
      sentAt: Date.now(),
      receiveCount: 0,
      invisibleUntil: 0,
      receiptHandle: null,
    };
    q.messages.push(m);
    wake();
    return m.id;
  }

  function take(q: Queue, max: number, visibilityS: number): SqsMessage[] {
    const now = Date.now();
    const out: SqsMessage[] = [];
    for (const m of q.messages) {
      if (out.length >= max) break;
      if (m.invisibleUntil > now) continue;
      m.receiveCount++;
      m.invisibleUntil = now + visibilityS * 1000;
      m.receiptHandle = `${m.id}#${randomUUID()}`;
      if (visibilityS > 0) wakeAt(m.invisibleUntil);
      out.push(m);
    }
    return out;
  }

  type Handler = (input: Record<string, unknown>, req: IncomingMessage) => Promise<unknown> | unknown;
  const handlers: Record<string, Handler> = {
    CreateQueue: (input) => ({
      QueueUrl: createQueue(String(input.QueueName), (input.Attributes ?? {}) as Record<string, string>),
    }),
    GetQueueUrl: (input) => {
      const url = `${base}/${accountId}/${String(input.QueueName)}`;
      queueOf(url);
      return { QueueUrl: url };
    },
    SendMessage: (input) => {
      const body = String(input.MessageBody ?? "");
      const id = send(String(input.QueueUrl), body);
      return { MessageId: id, MD5OfMessageBody: md5(body) };
    },
    ReceiveMessage: async (input, req) => {
      const q = queueOf(input.QueueUrl);
      const max = Math.min(10, Math.max(1, Number(input.MaxNumberOfMessages ?? 1)));
      const wait = Math.min(
        20,
        Math.max(0, Number(input.WaitTimeSeconds ?? q.attributes.ReceiveMessageWaitTimeSeconds ?? 0)),
      );
      const visibility = Number(input.VisibilityTimeout ?? q.attributes.VisibilityTimeout ?? 30);
      let got = take(q, max, visibility);
      if (got.length === 0 && wait > 0) {
        got = await new Promise<SqsMessage[]>((resolve) => {
          const done = (list: SqsMessage[]) => {
            waiters.delete(check);
            clearTimeout(timer);
            req.off("close", onClose);
            resolve(list);
          };
          const check = () => {
            if (!queues.has(q.url)) return done([]);
            const list = take(q, max, visibility);
            if (list.length) done(list);
          };
          const onClose = () => done([]);
          const timer = setTimeout(() => done([]), wait * 1000);
          waiters.add(check);
          req.on("close", onClose);
        });
      }
      return {
        Messages: got.map((m) => ({
          MessageId: m.id,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: md5(m.body),
          Body: m.body,
          Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
        })),
      };
    },
    DeleteMessage: (input) => {
      const q = queueOf(input.QueueUrl);
      const handle = String(input.ReceiptHandle ?? "");
      const i = q.messages.findIndex((m) => m.receiptHandle === handle);
      if (!handle.includes("#"))
        throw new SqsError(
          400,
          "com.amazonaws.sqs#ReceiptHandleIsInvalid",
          "ReceiptHandleIsInvalid",
          "The input receipt handle is invalid.",
        );
      // A stale handle (the message was received again since) deletes nothing, as in SQS.
      if (i >= 0) q.messages.splice(i, 1);
      return {};
    },
    ChangeMessageVisibility: (input) => {
      const q = queueOf(input.QueueUrl);
      const m = q.messages.find((x) => x.receiptHandle === input.ReceiptHandle);
      if (!m)
        throw new SqsError(
          400,
          "com.amazonaws.sqs#MessageNotInflight",
          "AWS.SimpleQueueService.MessageNotInflight",
          "Message not in flight",
        );
      m.invisibleUntil = Date.now() + Number(input.VisibilityTimeout ?? 0) * 1000;
      wakeAt(m.invisibleUntil);
      return {};
    },
    GetQueueAttributes: (input) => {
      const q = queueOf(input.QueueUrl);
      const now = Date.now();
      return {
        Attributes: {
          ...q.attributes,
          ApproximateNumberOfMessages: String(q.messages.filter((m) => m.invisibleUntil <= now).length),
          ApproximateNumberOfMessagesNotVisible: String(
            q.messages.filter((m) => m.invisibleUntil > now).length,
          ),
        },
      };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const action = target.replace(/^AmazonSQS\./, "");
    calls[action] = (calls[action] ?? 0) + 1;
    const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
    if (key) accessKeyIds.add(key);
    const reply = (status: number, json: unknown, queryError?: string) => {
      if (res.destroyed) return;
      res.writeHead(status, {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": randomUUID(),
        ...(queryError ? { "x-amzn-query-error": queryError } : {}),
      });
      res.end(JSON.stringify(json));
    };
    const handler = handlers[action];
    if (!handler)
      return reply(
        400,
        { __type: "com.amazonaws.sqs#InvalidAction", message: `unknown action ${action}` },
        "InvalidAction;Sender",
      );
    try {
      const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
      reply(200, await handler(input, req));
    } catch (e) {
      if (e instanceof SqsError)
        return reply(e.status, { __type: e.code, message: e.message }, `${e.queryCode};Sender`);
      reply(500, { __type: "com.amazonaws.sqs#InternalError", message: String(e) });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        queues.clear();
        wake();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    createQueue,
    send,
    messages: (url) => [...queueOf(url).messages],
    calls,
    accessKeyIds,
  };
}
