import { useEffect, useRef, useState, type FormEvent } from "react";
import { fetchSignInOptions, fetchViewer, type OidcSignIn, type Session } from "../lib/session";
import { beginOidcSignIn, completeOidcSignIn } from "../lib/oidc";
import { navigate, useLocation } from "../lib/router";

const issuerHost = (issuer: string) => {
  try {
    return new URL(issuer).host;
  } catch {
    return issuer;
  }
};

export function SignInPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: (s: Session) => void;
  notice?: string | null;
}) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [oidc, setOidc] = useState<OidcSignIn | null>(null);
  const [oidcError, setOidcError] = useState<string | null>(null);
  const { path, search } = useLocation();

  useEffect(() => {
    let live = true;
    fetchSignInOptions()
      .then((o) => live && setOidc(o))
      .catch(() => live && setOidc(null));
    return () => {
      live = false;
    };
  }, []);

  // Stay on a deep link that sent us here; leave /signin for the pools.
  const returnTo =
    path === "/signin" ? (search.get("next") ?? "/") : path + (search.size ? `?${search}` : "");

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const t = token.trim();
      const viewer = await fetchViewer(t);
      onSignedIn({ token: t, viewer });
      if (path === "/signin") navigate(returnTo, { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  async function signInWithOidc() {
    if (!oidc) return;
    setOidcError(null);
    setBusy(true);
    try {
      await beginOidcSignIn(oidc, returnTo);
    } catch (err) {
      setOidcError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <div className="card signin">
      <h1 id="signin-title">Sign in to CloudPAM</h1>
      {notice && (
        <p className="field-error" role="alert" data-testid="signin-notice">
          {notice}
        </p>
      )}
      {oidc && (
        <section aria-label="Single sign-on" className="signin-oidc">
          <button type="button" onClick={() => void signInWithOidc()} disabled={busy}>
            Sign in with {issuerHost(oidc.issuer)}
          </button>
          {oidcError && (
            <p id="oidc-error" className="field-error" role="alert">
              {oidcError}
            </p>
          )}
          <p className="muted">or paste an API token:</p>
        </section>
      )}
      <form onSubmit={submit} aria-labelledby="signin-title">
        <p className="muted">
          Paste an API token (<code>cloudpam token create --role OPERATOR</code>). It is kept in this tab
          only.
        </p>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "token-error" : undefined}
          required
        />
        {error && (
          <p id="token-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}

/** /signin/callback: finishes the OIDC sign-in (code -> token), then asks the server who that is. */
export function OidcCallbackPage({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  const done = useRef(false);
  useEffect(() => {
    completeOidcSignIn()
      .then(async ({ token, returnTo }) => {
        const viewer = await fetchViewer(token);
        if (done.current) return;
        done.current = true;
        onSignedIn({ token, viewer });
        navigate(returnTo.startsWith("/") && !returnTo.startsWith("/signin") ? returnTo : "/", {
          replace: true,
        });
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [onSignedIn]);
  return (
    <div className="card signin">
      <h1>Signing in…</h1>
      {error ? (
        <>
          <p className="field-error" role="alert" data-testid="oidc-error">
            {error}
          </p>
          <button type="button" onClick={() => navigate("/signin", { replace: true })}>
            Back to sign-in
          </button>
        </>
      ) : (
        <p className="muted" role="status">
          Exchanging the issuer&apos;s code for a token…
        </p>
      )}
    </div>
  );
}
