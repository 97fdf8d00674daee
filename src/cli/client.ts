/**
 * The everyday commands' GraphQL client: POST over global fetch to a running server, configured by
 * `CLOUDPAM_URL` / `CLOUDPAM_TOKEN` (or `--url` / `--token`). Failures become two error types whose exit
 * codes a script can test: `UsageError` (2: bad flags or configuration) and `Refusal` (1: the server, or
 * the network, said no).
 */

/** Bad flags or missing configuration: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The server refused (or could not be reached): exit code 1, `code` is the server's `extensions.code`. */
export class Refusal extends Error {
  override name = "Refusal";
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const AUTH_FAILED_MESSAGE =
  "authentication failed: set CLOUDPAM_TOKEN (create one with `cloudpam token create`)";

/** Options every everyday command takes (commander attributes). */
export interface ConnectionOptions {
  url?: string;
  token?: string;
}

interface GraphQLErrorBody {
  message?: string;
  extensions?: { code?: string; details?: Record<string, unknown> };
}

export class GraphQLClient {
  constructor(
    readonly endpoint: string,
    private readonly token: string,
  ) {}

  /** Runs one operation; any GraphQL error is a `Refusal` carrying the first error's code. */
  async request<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          authorization: `Bearer ${this.token}`,
        },
        body: JSON.stringify({ query: document, variables }),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new Refusal(
        "UNREACHABLE",
        `cannot reach ${this.endpoint}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      );
    }
    if (res.status === 401) throw new Refusal("UNAUTHENTICATED", AUTH_FAILED_MESSAGE);
    const text = await res.text();
    let body: { data?: T | null; errors?: GraphQLErrorBody[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Refusal(
        `HTTP_${res.status}`,
        `unexpected response from ${this.endpoint} (HTTP ${res.status}): ${text.slice(0, 200)}`,
      );
    }
    const first = body.errors?.[0];
    if (first) {
      const code = first.extensions?.code ?? `HTTP_${res.status}`;
      if (code === "UNAUTHENTICATED") throw new Refusal(code, AUTH_FAILED_MESSAGE);
      const more = body.errors!.length > 1 ? ` (and ${body.errors!.length - 1} more errors)` : "";
      throw new Refusal(code, `${first.message ?? "request refused"}${more}`, first.extensions?.details);
    }
    if (!res.ok || body.data == null) {
      throw new Refusal(
        `HTTP_${res.status}`,
        `unexpected response from ${this.endpoint} (HTTP ${res.status})`,
      );
    }
    return body.data;
  }
}

/** `--url`/`--token` win over `CLOUDPAM_URL`/`CLOUDPAM_TOKEN`; a bare server URL gets `/graphql` appended. */
export function clientFrom(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): GraphQLClient {
  const rawUrl = opts.url ?? env.CLOUDPAM_URL;
  if (!rawUrl) throw new UsageError("no server: set CLOUDPAM_URL (e.g. http://127.0.0.1:8080) or pass --url");
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`CLOUDPAM_URL "${rawUrl}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`CLOUDPAM_URL "${rawUrl}" must be an http:// or https:// URL`);
  }
  if (!url.pathname.replace(/\/+$/, "").endsWith("/graphql")) {
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/graphql`;
  }
  const token = opts.token ?? env.CLOUDPAM_TOKEN;
  if (!token) {
    throw new UsageError(
      "no credential: set CLOUDPAM_TOKEN or pass --token (create one with `cloudpam token create`)",
    );
  }
  return new GraphQLClient(url.toString(), token);
}
