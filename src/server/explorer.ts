/**
 * The GraphQL explorer (GraphiQL from @graphql-yoga/render-graphiql): one self-contained page with
 * its scripts, styles and workers inlined, so it works with no internet access.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

let page: { html: Buffer; gzip: Buffer; etag: string } | undefined;

const DEFAULT_QUERY = `# Welcome to CloudPAM. Set the header {"Authorization": "Bearer <token>"} below.
query ServerInfo {
  serverInfo {
    version
    schemaVersion
    uptimeSeconds
  }
}
`;

/** Renders the page once. The renderer module (~80 MB resident) is loaded on the first browser visit only. */
async function renderPage() {
  if (!page) {
    const { renderGraphiQL } = await import("@graphql-yoga/render-graphiql");
    const html = Buffer.from(
      renderGraphiQL({
        endpoint: "/graphql",
        subscriptionsProtocol: "WS",
        title: "CloudPAM GraphQL explorer",
        defaultQuery: DEFAULT_QUERY,
        headers: JSON.stringify({ Authorization: "Bearer " }),
      } as Parameters<typeof renderGraphiQL>[0]),
    );
    page = {
      html,
      gzip: gzipSync(html),
      etag: `"${createHash("sha1").update(html).digest("hex").slice(0, 16)}"`,
    };
  }
  return page;
}

/** The explorer HTML (uncompressed), for tests. */
export async function explorerHtml(): Promise<string> {
  return (await renderPage()).html.toString("utf8");
}

export async function explorerResponse(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const p = await renderPage();
  if (req.headers["if-none-match"] === p.etag) {
    res.writeHead(304, { etag: p.etag });
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    etag: p.etag,
    "cache-control": "no-cache",
    vary: "accept-encoding",
    "content-security-policy":
      "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self' ws: wss:",
    ...(gzip ? { "content-encoding": "gzip" } : {}),
  });
  res.end(gzip ? p.gzip : p.html);
}
