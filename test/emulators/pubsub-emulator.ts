/**
 * Loopback Pub/Sub emulator: a @grpc/grpc-js server on 127.0.0.1 (ephemeral port, insecure channel, as
 * PUBSUB_EMULATOR_HOST / apiEndpoint makes the client use) serving google.pubsub.v1.Subscriber from the
 * pubsub.proto shipped inside @google-cloud/pubsub (imports resolved from google-gax's protos).
 *
 * Served: Pull (synchronous pull; held up to `holdMs` until a message is deliverable unless
 * returnImmediately; a cancelled call is dropped), Acknowledge, ModifyAckDeadline (0 = nack), GetSubscription.
 * StreamingPull is not served (UNIMPLEMENTED): CloudPAM uses the v1 SubscriberClient's unary pull.
 * Semantics kept: ack deadline per subscription (ackDeadlineSeconds, default 10), redelivery after it
 * with a new ack id, NOT_FOUND for an unknown subscription, deliveryAttempt when the subscription has a
 * dead-letter policy (maxDeliveryAttempts), 0 otherwise.
 *
 * Usage from a test:
 *   const ps = await startPubSubEmulator();
 *   ps.createSubscription("projects/p/subscriptions/cloudpam", { ackDeadlineSeconds: 1 });
 *   new PubSub({ apiEndpoint: ps.endpoint, projectId: "p" });   // emulator mode: insecure gRPC
 *   ps.publish("projects/p/subscriptions/cloudpam", JSON.stringify(logEntry)); ps.calls.Pull; await ps.close();
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const require = createRequire(import.meta.url);

interface PsMessage {
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime: Date;
  deliveries: number;
  invisibleUntil: number;
  ackId: string | null;
}

interface Subscription {
  name: string;
  ackDeadlineSeconds: number;
  maxDeliveryAttempts: number | null;
  messages: PsMessage[];
}

export interface PubSubEmulator {
  /** `127.0.0.1:PORT`: pass as the client's apiEndpoint. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
  createSubscription(
    name: string,
    opts?: { ackDeadlineSeconds?: number; maxDeliveryAttempts?: number },
  ): void;
  publish(subscription: string, data: string, attributes?: Record<string, string>): string;
  /** Messages not yet acknowledged. */
  messages(subscription: string): PsMessage[];
  readonly calls: Record<string, number>;
}

function loadSubscriberService(): grpc.ServiceDefinition {
  const pubsubRoot = join(dirname(require.resolve("@google-cloud/pubsub/package.json")), "build", "protos");
  // google-gax exports no package.json: its main is build/src/index.js, its protos are in build/protos.
  const gaxRoot = join(dirname(require.resolve("google-gax")), "..", "protos");
  const def = protoLoader.loadSync("google/pubsub/v1/pubsub.proto", {
    includeDirs: [pubsubRoot, gaxRoot],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    google: { pubsub: { v1: { Subscriber: { service: grpc.ServiceDefinition } } } };
  };
  return pkg.google.pubsub.v1.Subscriber.service;
}

const notFound = (what: string) =>
  Object.assign(new Error(`Resource not found (resource=${what}).`), { code: grpc.status.NOT_FOUND });

export async function startPubSubEmulator(opts: { holdMs?: number } = {}): Promise<PubSubEmulator> {
  const holdMs = opts.holdMs ?? 5_000;
  const subs = new Map<string, Subscription>();
  const calls: Record<string, number> = {};
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  const count = (m: string) => (calls[m] = (calls[m] ?? 0) + 1);
  const wake = () => {
    for (const w of [...waiters]) w();
  };
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

  const sub = (name: unknown): Subscription => {
    const s = typeof name === "string" ? subs.get(name) : undefined;
    if (!s) throw notFound(String(name));
    return s;
  };

  function take(s: Subscription, max: number) {
    const now = Date.now();
    const out: { ackId: string; message: object; deliveryAttempt: number }[] = [];
    for (const m of s.messages) {
      if (out.length >= max) break;
      if (m.invisibleUntil > now) continue;
      m.deliveries++;
      m.ackId = `${m.id}:${randomUUID()}`;
      m.invisibleUntil = now + s.ackDeadlineSeconds * 1000;
      wakeAt(m.invisibleUntil);
      const seconds = Math.floor(m.publishTime.getTime() / 1000);
      out.push({
        ackId: m.ackId,
        message: {
          data: m.data,
          attributes: m.attributes,
          messageId: m.id,
          publishTime: { seconds, nanos: (m.publishTime.getTime() % 1000) * 1e6 },
          orderingKey: "",
        },
        deliveryAttempt: s.maxDeliveryAttempts ? m.deliveries : 0,
      });
    }
    return out;
  }

  type Unary = grpc.handleUnaryCall<Record<string, unknown>, unknown>;
  const wrap =
    (
      name: string,
      fn: (req: Record<string, unknown>, call: Parameters<Unary>[0]) => Promise<unknown> | unknown,
    ): Unary =>
    (call, callback) => {
      count(name);
      Promise.resolve()
        .then(() => fn(call.request, call))
        .then(
          (res) => callback(null, res as never),
          (err: Error & { code?: number }) =>
            callback({ code: err.code ?? grpc.status.INTERNAL, details: err.message }),
        );
    };

  const server = new grpc.Server();
  server.addService(loadSubscriberService(), {
    Pull: wrap("Pull", async (req, call) => {
      const s = sub(req.subscription);
      const max = Math.max(1, Number(req.maxMessages ?? 1));
      let got = take(s, max);
      if (got.length === 0 && !req.returnImmediately) {
        got = await new Promise((resolve) => {
          const done = (list: typeof got) => {
            waiters.delete(check);
            clearTimeout(timer);
            call.off("cancelled", onCancel);
            resolve(list);
          };
          const check = () => {
            if (!subs.has(s.name)) return done([]);
            const list = take(s, max);
            if (list.length) done(list);
          };
          const onCancel = () => done([]);
          const timer = setTimeout(() => done([]), holdMs);
          waiters.add(check);
          call.on("cancelled", onCancel);
        });
      }
      return { receivedMessages: got };
    }),
    Acknowledge: wrap("Acknowledge", (req) => {
      const s = sub(req.subscription);
      const ids = new Set((req.ackIds as string[] | undefined) ?? []);
      s.messages = s.messages.filter((m) => !(m.ackId && ids.has(m.ackId)));
      return {};
    }),
    ModifyAckDeadline: wrap("ModifyAckDeadline", (req) => {
      const s = sub(req.subscription);
      const ids = new Set((req.ackIds as string[] | undefined) ?? []);
      const until = Date.now() + Number(req.ackDeadlineSeconds ?? 0) * 1000;
      for (const m of s.messages)
        if (m.ackId && ids.has(m.ackId)) {
          m.invisibleUntil = until;
          wakeAt(until);
        }
      return {};
    }),
    GetSubscription: wrap("GetSubscription", (req) => {
      const s = sub(req.subscription);
      return { name: s.name, ackDeadlineSeconds: s.ackDeadlineSeconds };
    }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );

  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    calls,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      subs.clear();
      wake();
      server.forceShutdown();
    },
    createSubscription(name, o = {}) {
      subs.set(name, {
        name,
        ackDeadlineSeconds: o.ackDeadlineSeconds ?? 10,
        maxDeliveryAttempts: o.maxDeliveryAttempts ?? null,
        messages: [],
      });
    },
    publish(subscription, data, attributes = {}) {
      const s = sub(subscription);
      const m: PsMessage = {
        id: String(Date.now()) + String(Math.floor(Math.random() * 1e6)),
        data: Buffer.from(data, "utf8"),
        attributes,
        publishTime: new Date(),
        deliveries: 0,
        invisibleUntil: 0,
        ackId: null,
      };
      s.messages.push(m);
      wake();
      return m.id;
    },
    messages: (subscription) => [...sub(subscription).messages],
  };
}
