/** The signed-in session: the API token lives in sessionStorage only (never in the URL or localStorage). */
export type Role = "VIEWER" | "OPERATOR" | "ADMIN" | "AUDITOR";

const TOKEN_KEY = "cloudpam.token";
const ROLE_KEY = "cloudpam.role";

export interface Session {
  token: string | null;
  role: Role | null;
}

export function loadSession(): Session {
  return {
    token: sessionStorage.getItem(TOKEN_KEY),
    role: (sessionStorage.getItem(ROLE_KEY) as Role | null) ?? null,
  };
}

export function saveSession(s: Session): void {
  if (s.token) sessionStorage.setItem(TOKEN_KEY, s.token);
  else sessionStorage.removeItem(TOKEN_KEY);
  if (s.role) sessionStorage.setItem(ROLE_KEY, s.role);
  else sessionStorage.removeItem(ROLE_KEY);
}

/** What each role may do (mirrors src/domain/roles.ts): the UI hides or disables the rest. */
export function canOperate(role: Role | null): boolean {
  return role === "OPERATOR" || role === "ADMIN";
}
export function canAdmin(role: Role | null): boolean {
  return role === "ADMIN";
}
export function whyNot(needed: "operate" | "admin"): string {
  return needed === "admin" ? "Needs the ADMIN role" : "Needs the OPERATOR or ADMIN role";
}

interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

async function post(token: string, query: string): Promise<{ status: number; errors: GqlError[] }> {
  const res = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json().catch(() => ({}))) as { errors?: GqlError[] };
  return { status: res.status, errors: body.errors ?? [] };
}

const forbidden = (errors: GqlError[], field: string) =>
  errors.some((e) => e.path?.[0] === field && e.extensions?.code === "FORBIDDEN");

/**
 * Finds the token's role from what it may call: the API has no "who am I" field, so the sign-in asks
 * one admin-only and one audit-only query, and (for the rest) an operate-only mutation that names no
 * real object (a permitted caller gets NOT_FOUND/BAD_USER_INPUT, writing nothing).
 * Throws the server's message when the token is refused.
 */
export async function probeRole(token: string): Promise<Role> {
  // One field per request: a refused non-null root field nulls the whole response, hiding its siblings' fate.
  const [read, admin, audit, operate] = await Promise.all([
    post(token, "query ReadProbe { scopes(first: 1) { totalCount } }"),
    post(token, "query AdminProbe { apiTokens { id } }"),
    post(token, "query AuditProbe { events(first: 1) { totalCount } }"),
    post(
      token,
      'mutation OperateProbe { releaseAllocation(input: { id: "role-probe" }) { allocation { id } } }',
    ),
  ]);
  const refused = read.errors.find((e) => e.extensions?.code === "UNAUTHENTICATED");
  if (refused || read.status === 401)
    throw new Error(refused?.message ?? read.errors[0]?.message ?? "the server refused this token");
  if (forbidden(read.errors, "scopes")) throw new Error("this token may not read (no role)");
  if (!forbidden(admin.errors, "apiTokens")) return "ADMIN";
  if (!forbidden(audit.errors, "events")) return "AUDITOR";
  return forbidden(operate.errors, "releaseAllocation") ? "VIEWER" : "OPERATOR";
}
