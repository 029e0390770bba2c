// Sign in with the server's admin token (kept in sessionStorage for this tab only).
import { useState } from "react";
import { ApiError, setToken } from "../api/client";
import { listFlows } from "../api/flows";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setValue] = useState("");
  const [error, setError] = useState("");
  const submit = async () => {
    setToken(token.trim());
    try {
      await listFlows();
      onSignedIn();
    } catch (e) {
      setToken(null);
      setError(e instanceof ApiError && e.status === 401 ? "That token is not right." : (e as Error).message);
    }
  };
  return (
    <main className="fg-signin">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>flowgraph</h1>
        <p>Draw, check, simulate and publish Smartflo API Dialplan call flows.</p>
        <label htmlFor="token">Admin token</label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          data-testid="token-input"
          value={token}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" data-testid="sign-in">
          Sign in
        </button>
        {error && <p role="alert">{error}</p>}
        <p className="fg-help">
          The token is printed by <code>flowgraph serve</code> on first start (or set FLOWGRAPH_ADMIN_TOKEN).
        </p>
      </form>
    </main>
  );
}
