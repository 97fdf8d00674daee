/**
 * A small closed-loop HTTP load generator for the benches (autocannon is not a dependency): `connections`
 * keep-alive sockets, each sending the next POST as soon as the previous answer has been read. It runs in a
 * worker thread so that the client's work does not share the server's event loop.
 */
import { Worker } from "node:worker_threads";

export interface LoadRequest {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  perSecond: number;
}

// Plain JavaScript (the worker is evaluated, not loaded through tsx).
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const http = require("node:http");
parentPort.on("message", async (job) => {
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const body = Buffer.from(job.body);
  const headers = { "content-type": "application/json", "content-length": body.length, ...(job.headers || {}) };
  let requests = 0, errors = 0, firstError = null;
  const one = () => new Promise((resolve) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200 || text.includes('"errors"')) { errors++; firstError ??= res.statusCode + " " + text.slice(0, 300); }
        else requests++;
        resolve();
      });
    });
    req.on("error", (e) => { errors++; firstError ??= String(e); resolve(); });
    req.end(body);
  });
  const started = performance.now();
  const until = started + job.durationMs;
  await Promise.all(Array.from({ length: job.connections }, async () => {
    while (performance.now() < until) await one();
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  parentPort.postMessage({ requests, errors, firstError, seconds, perSecond: requests / seconds });
});
`;

export class LoadGenerator {
  private worker = new Worker(WORKER_SOURCE, { eval: true });

  run(job: LoadRequest): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => {
        this.worker.off("message", onMessage);
        reject(e);
      };
      const onMessage = (r: LoadResult) => {
        this.worker.off("error", onError);
        if (r.errors > 0) reject(new Error(`${r.errors} failed requests, first: ${r.firstError}`));
        else resolve(r);
      };
      this.worker.once("message", onMessage);
      this.worker.once("error", onError);
      this.worker.postMessage(job);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
