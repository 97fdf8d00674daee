/**
 * A TCP proxy between the browser and the server: the network a test can cut. `cut()` drops every
 * connection and refuses new ones until `restore()`; `retarget()` points it at another server (a restart
 * behind a load balancer). The test itself talks to the server directly, so it can change data meanwhile.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpProxy {
  url: string;
  cut(): void;
  restore(): void;
  retarget(port: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let port = targetPort;
  let refusing = false;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (refusing) return client.destroy();
    const upstream = connect(port, "127.0.0.1");
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy did not bind");
  const dropAll = () => sockets.forEach((s) => s.destroy());
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      refusing = true;
      dropAll();
    },
    restore: () => {
      refusing = false;
    },
    retarget: (p) => {
      port = p;
    },
    close: () => {
      dropAll();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
