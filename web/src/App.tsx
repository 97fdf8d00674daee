import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { Provider } from "urql";
import { createApiClient, currentLinkState, subscribeLinkState } from "./lib/client";
import { loadSession, saveSession, type Session } from "./lib/session";
import { Link, navigate, useLocation } from "./lib/router";
import { applyTheme, initialTheme, type Theme } from "./lib/theme";
import { SessionContext } from "./lib/session-context";
import { ToastHost } from "./components/Toasts";
import { SignInPage } from "./pages/SignInPage";
import { PoolsPage } from "./pages/PoolsPage";
import { PoolPage } from "./pages/PoolPage";
import { AccountsPage } from "./pages/AccountsPage";
import { AnalyticsPage } from "./pages/AnalyticsPage";
import { DriftPage } from "./pages/DriftPage";

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

export function App() {
  const [session, setSession] = useState<Session>(loadSession);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const { path } = useLocation();
  useEffect(() => applyTheme(theme), [theme]);

  const signOut = useCallback(() => {
    saveSession({ token: null, role: null });
    setSession({ token: null, role: null });
    navigate("/signin");
  }, []);

  const api = useMemo(
    () => (session.token ? createApiClient(session.token, signOut) : null),
    [session.token, signOut],
  );
  useEffect(() => () => void api?.ws.dispose(), [api]);

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setSession(s);
  }, []);

  const toggleTheme = () => {
    const next = theme === "dark" ? "light" : "dark";
    applyTheme(next, true);
    setTheme(next);
  };

  if (!api || path === "/signin") {
    return (
      <SessionContext.Provider value={{ ...session, signOut }}>
        <main id="main" className="signin-main">
          <SignInPage onSignedIn={signIn} />
        </main>
        <ToastHost />
      </SessionContext.Provider>
    );
  }

  return (
    <SessionContext.Provider value={{ ...session, signOut }}>
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
            <span className="role" data-testid="role" title="Your role">
              {session.role ?? "?"}
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
