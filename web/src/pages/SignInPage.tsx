import { useState, type FormEvent } from "react";
import { probeRole, type Session } from "../lib/session";
import { navigate, useLocation } from "../lib/router";

export function SignInPage({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { path } = useLocation();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const t = token.trim();
      const role = await probeRole(t);
      onSignedIn({ token: t, role });
      // Stay on a deep link that sent us here; leave /signin for the pools.
      if (path === "/signin") navigate("/", { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card signin" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to CloudPAM</h1>
      <p className="muted">
        Paste an API token (<code>cloudpam token create --role OPERATOR</code>). It is kept in this tab only.
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
  );
}
