/**
 * The signed-in session: the bearer (API token or OIDC token) lives in sessionStorage only (never in the
 * URL or localStorage). Who the bearer is and what its role may do come from the server's `viewer`
 * (src/domain/roles.ts decides); the UI keeps no copy of the role table.
 */
import { Client, fetchExchange } from "urql";
import { graphql } from "../gql";
import type { SessionViewerQuery, SignInOptionsQuery } from "../gql/graphql";

export type Viewer = SessionViewerQuery["viewer"];
export type Permission = Viewer["permissions"][number]["permission"];
export type CredentialKind = Viewer["kind"];
export type OidcSignIn = NonNullable<SignInOptionsQuery["serverInfo"]["oidc"]>;

const TOKEN_KEY = "cloudpam.token";

export interface Session {
  /** The bearer; null with AUTH=off (the server answers the anonymous ADMIN). */
  token: string | null;
  viewer: Viewer;
}

export const loadToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);

export function saveToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

const ViewerQuery = graphql(`
  query SessionViewer {
    viewer {
      kind
      subject
      name
      role
      permissions {
        permission
        granted
        reason
      }
    }
  }
`);

const SignInOptions = graphql(`
  query SignInOptions {
    serverInfo {
      oidc {
        issuer
        clientId
        scopes
        redirectUri
      }
    }
  }
`);

/** A one-off client (no cache, no WebSocket) for the calls made before the app's client exists. */
function plainClient(token: string | null): Client {
  return new Client({
    url: "/graphql",
    exchanges: [fetchExchange],
    requestPolicy: "network-only",
    preferGetMethod: false,
    fetchOptions: { headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>) },
  });
}

export class SignInError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

/** Who `token` is (null: no credential, for AUTH=off). Throws SignInError with the server's message when refused. */
export async function fetchViewer(token: string | null): Promise<Viewer> {
  const r = await plainClient(token).query(ViewerQuery, {}).toPromise();
  if (r.data?.viewer) return r.data.viewer;
  const first = r.error?.graphQLErrors[0];
  const code = typeof first?.extensions?.code === "string" ? first.extensions.code : null;
  throw new SignInError(
    first?.message ?? r.error?.networkError?.message ?? "the server refused this credential",
    code,
  );
}

/** The OIDC sign-in settings (a public field), or null when the server offers none. */
export async function fetchSignInOptions(): Promise<OidcSignIn | null> {
  const r = await plainClient(null).query(SignInOptions, {}).toPromise();
  return r.data?.serverInfo.oidc ?? null;
}

/** Whether the viewer's role holds `p` and, when not, the server's reason (for a disabled control's title). */
export function grantOf(viewer: Viewer | null, p: Permission): { allowed: boolean; reason: string } {
  const g = viewer?.permissions.find((x) => x.permission === p);
  if (g?.granted) return { allowed: true, reason: "" };
  const why = g?.reason ?? "not signed in";
  return { allowed: false, reason: `Not allowed: ${why}` };
}

export const CREDENTIAL_LABEL: Record<CredentialKind, string> = {
  TOKEN: "API token",
  OIDC: "OIDC",
  ANONYMOUS: "no credential (auth off)",
};
