import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import WebSocket from "ws";
import { serveProcess } from "../helpers/cli.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("graceful shutdown", () => {
  it("finishes an in-flight request after SIGTERM, closes WebSockets with 1001, and exits 0", async () => {
    dir = mkdtempSync(join(tmpdir(), "cloudpam-shutdown-"));
    const { child, url, exited, output } = await serveProcess([
      "--addr",
      "127.0.0.1:0",
      "--sqlite-dsn",
      join(dir, "db.sqlite"),
    ]);
    const token = /cpam_[A-Za-z0-9_-]+/.exec(output())![0];

    const ws = new WebSocket(url.replace("http", "ws") + "/graphql", "graphql-transport-ws");
    await new Promise((r) => ws.once("open", r));
    const wsClosed = new Promise<number>((r) => ws.once("close", (code) => r(code)));

    // A slow request: headers now, the body only after the server was told to stop.
    const body = JSON.stringify({ query: "query Slow { serverInfo { version } }" });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${url}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      });
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 100);
    });

    const r = await response;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).data.serverInfo.version).toMatch(/\d+\.\d+/);
    expect(await wsClosed).toBe(1001);
    expect(await exited).toBe(0);
    expect(output()).toContain("shutdown complete");
  });
});
