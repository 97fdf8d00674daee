import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Provider } from "urql";
import { createApiClient, currentLinkState, subscribeLinkState } from "./lib/client";
import { CREDENTIAL_LABEL, fetchViewer, loadToken, saveToken, type Session } from "./lib/session";
import { CALLBACK_PATH, clearRefresh, loadRefresh, refreshDelay, refreshOidcToken } from "./lib/oidc";
import { Link, navigate, useLocation } from "./lib/router";
import { applyTheme, initialTheme, type Theme } from "./lib/theme";
import { SessionContext, sessionValue } from "./lib/session-context";
import { toast, ToastHost } from "./components/Toasts";
import { OidcCallbackPage, SignInPage } from "./pages/SignInPage";
import { PoolsPage } from "./pages/PoolsPage";
import { PoolPage } from "./pages/PoolPage";
import { AccountsPage } from "./pages/AccountsPage";
import { AnalyticsPage } from "./pages/AnalyticsPage";
import { DriftPage } from "./pages/DriftPage";
import { PlanPage } from "./pages/PlanPage";

function LinkIndicator() {
  const state = useSyncExternalStore(subscribeLinkState, currentLinkState);
  const label = state === "live" ? "Live" : state === "reconnecting" ? "Reconnecting…" : "Connecting…";
  return (
    <span className={`link-state link-${state}`} role="status" aria-live="polite" data-testid="link-state">
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

const NAV = [
  { to: "/", label: "Pools", match: (p: string) => p === "/" || p.startsWith("/pools") },
  { to: "/accounts", label: "Accounts", match: (p: string) => p.startsWith("/accounts") },
  { to: "/analytics", label: "Analytics", match: (p: string) => p.startsWith("/analytics") },
  { to: "/drift", label: "Drift", match: (p: string) => p.startsWith("/drift") },
];

function Routes({ path }: { path: string }) {
  const plan = /^\/pools\/([^/]+)\/plan$/.exec(path);
  if (plan?.[1]) return <PlanPage id={decodeURIComponent(plan[1])} />;
  const pool = /^\/pools\/([^/]+)$/.exec(path);
  if (pool?.[1]) return <PoolPage id={decodeURIComponent(pool[1])} />;
  if (path === "/" || path === "/pools") return <PoolsPage />;
  if (path === "/accounts") return <AccountsPage />;
  if (path === "/analytics") return <AnalyticsPage />;
  if (path === "/drift") return <DriftPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. <Link to="/">Go to pools</Link>
      </p>
    </section>
  );
}

/**
 * On load the stored bearer (or none: AUTH=off answers without one) is shown to the server's `viewer`:
 * the role and what it may do always come from the server, never from storage.
 */
type Boot =
  | { state: "checking" }
  | { state: "signed-out"; notice: string | null }
  /** `epoch` counts sign-ins: the API client (and its cache) is per sign-in, not per token, so a refresh keeps it. */
  | { state: "in"; session: Session; epoch: number };

let epochs = 0;

export function App() {
  const [boot, setBoot] = useState<Boot>(() =>
    location.pathname === CALLBACK_PATH ? { state: "signed-out", notice: null } : { state: "checking" },
  );
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const { path } = useLocation();
  useEffect(() => applyTheme(theme), [theme]);

  useEffect(() => {
    if (boot.state !== "checking") return;
    let live = true;
    let stored = loadToken();
    // A stored OIDC token that expired while the tab was away is renewed once with its refresh token.
    const viewerOrRefreshed = () =>
      fetchViewer(stored).catch(async (e: unknown) => {
        if (!stored || !loadRefresh()) throw e;
        stored = await refreshOidcToken().catch(() => Promise.reject(e));
        saveToken(stored);
        return fetchViewer(stored);
      });
    viewerOrRefreshed()
      .then((viewer) => live && setBoot({ state: "in", session: { token: stored, viewer }, epoch: ++epochs }))
      .catch((e: unknown) => {
        if (!live) return;
        // No stored bearer and auth on: just the sign-in page. A stored one that is refused: say why.
        if (stored) saveToken(null);
        clearRefresh();
        setBoot({
          state: "signed-out",
          notice: stored ? `Please sign in again: ${e instanceof Error ? e.message : String(e)}` : null,
        });
      });
    return () => {
      live = false;
    };
  }, [boot.state]);

  const signOut = useCallback(() => {
    saveToken(null);
    clearRefresh();
    setBoot({ state: "signed-out", notice: null });
    navigate("/signin");
  }, []);

  const session = boot.state === "in" ? boot.session : null;
  const epoch = boot.state === "in" ? boot.epoch : 0;
  const token = session?.token ?? null;
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const anonymous = session?.viewer.kind === "ANONYMOUS";
  const credentialed = !!token || anonymous;
  const api = useMemo(
    () => (credentialed ? createApiClient(() => tokenRef.current, signOut) : null),
    [epoch, credentialed, signOut],
  );

  // An OIDC session with a refresh token renews its token before it expires, in place (same client, cache and
  // subscriptions). A refused refresh leaves the token until it expires; then the server's 401 signs out.
  useEffect(() => {
    if (session?.viewer.kind !== "OIDC") return;
    const r = loadRefresh();
    if (!r) return;
    const timer = setTimeout(() => {
      refreshOidcToken()
        .then((next) => {
          tokenRef.current = next;
          saveToken(next);
          setBoot((b) => (b.state === "in" ? { ...b, session: { ...b.session, token: next } } : b));
        })
        .catch((e: unknown) =>
          toast(
            `${e instanceof Error ? e.message : String(e)}; sign in again when the session ends`,
            "error",
          ),
        );
    }, refreshDelay(r));
    return () => clearTimeout(timer);
  }, [token, session?.viewer.kind]);
  useEffect(() => () => void api?.ws.dispose(), [api]);

  const signIn = useCallback((s: Session) => {
    saveToken(s.token);
    setBoot({ state: "in", session: s, epoch: ++epochs });
  }, []);

  const value = useMemo(
    () => sessionValue(token, session?.viewer ?? null, signOut),
    [token, session?.viewer, signOut],
  );

  const toggleTheme = () => {
    const next = theme === "dark" ? "light" : "dark";
    applyTheme(next, true);
    setTheme(next);
  };

  if (boot.state === "checking") {
    return (
      <main id="main" className="signin-main">
        <p className="muted" role="status">
          Checking your session…
        </p>
      </main>
    );
  }

  if (!api || !session || path === "/signin" || path === CALLBACK_PATH) {
    return (
      <SessionContext.Provider value={value}>
        <main id="main" className="signin-main">
          {path === CALLBACK_PATH ? (
            <OidcCallbackPage onSignedIn={signIn} />
          ) : (
            <SignInPage onSignedIn={signIn} notice={boot.state === "signed-out" ? boot.notice : null} />
          )}
        </main>
        <ToastHost />
      </SessionContext.Provider>
    );
  }

  return (
    <SessionContext.Provider value={value}>
      <Provider value={api.client}>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <Link to="/" className="brand">
            CloudPAM
          </Link>
          <nav aria-label="Main">
            {NAV.map((n) => (
              <Link key={n.to} to={n.to} aria-current={n.match(path) ? "page" : undefined}>
                {n.label}
              </Link>
            ))}
          </nav>
          <div className="topbar-right">
            <LinkIndicator />
            <span
              className="role"
              data-testid="role"
              title={`Signed in as ${session.viewer.name} (${CREDENTIAL_LABEL[session.viewer.kind]}); role ${session.viewer.role}`}
            >
              {session.viewer.role}
            </span>
            <button
              type="button"
              className="ghost"
              onClick={toggleTheme}
              aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} mode`}
            >
              {theme === "dark" ? "☀" : "☾"}
            </button>
            <button type="button" className="ghost" onClick={signOut}>
              Sign out
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          <Routes path={path} />
        </main>
        <ToastHost />
      </Provider>
    </SessionContext.Provider>
  );
}
