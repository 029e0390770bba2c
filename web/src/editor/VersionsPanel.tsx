// Publish with a note (blocked with the diagnostics when errors exist), versions with rollback,
// and a visual diff between any two versions (the server's diff.svg).
import { useCallback, useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { diffUrl, listVersions, publishFlow, rollback, type VersionSummary } from "../api/flows";
import { useEditor } from "../store";
import { saveNow } from "./hooks";

function PublishForm({ onDone }: { onDone: () => void }) {
  const [note, setNote] = useState("");
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const publish = async () => {
    setBusy(true);
    setMessage("");
    try {
      if (!(await saveNow())) throw new Error("The draft could not be saved; see the save status.");
      const s = useEditor.getState();
      const out = await publishFlow(s.flowId ?? "", note, s.etag);
      setMessage(
        out.created
          ? `Published version ${out.version.number}.`
          : `No changes: version ${out.version.number} is live.`,
      );
      setNote("");
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.diagnostics.length) {
        const s = useEditor.getState();
        s.setDiagnostics(err.diagnostics, s.revision);
        const n = err.diagnostics.filter((d) => d.severity === "error").length;
        setMessage(`Publishing is blocked: ${n} error(s). See Problems.`);
      } else setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="fg-publish"
      onSubmit={(e) => {
        e.preventDefault();
        void publish();
      }}
    >
      <label htmlFor="publish-note">Publish note</label>
      <input
        id="publish-note"
        data-testid="publish-note"
        value={note}
        placeholder="What changed and why"
        onChange={(e) => setNote(e.target.value)}
      />
      <button type="submit" data-testid="publish-button" disabled={busy}>
        Publish
      </button>
      {message && (
        <p role="status" data-testid="publish-message">
          {message}
        </p>
      )}
    </form>
  );
}

function DiffView({ versions, flowId }: { versions: VersionSummary[]; flowId: string }) {
  const [from, setFrom] = useState(versions[1]?.number ?? versions[0]?.number ?? 1);
  const [to, setTo] = useState(versions[0]?.number ?? 1);
  const [url, setUrl] = useState("");
  const [error, setError] = useState("");
  const show = async () => {
    setError("");
    try {
      setUrl(await diffUrl(flowId, from, to));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  if (versions.length < 2) return <p className="fg-help">Publish twice to compare versions.</p>;
  const pick = (label: string, value: number, set: (n: number) => void) => (
    <label>
      {label}{" "}
      <select value={value} onChange={(e) => set(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v.number} value={v.number}>
            v{v.number}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="fg-diff">
      <div className="fg-row">
        {pick("From", from, setFrom)}
        {pick("to", to, setTo)}
        <button type="button" data-testid="diff-button" onClick={() => void show()}>
          Show diff
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {url && (
        <a href={url} target="_blank" rel="noreferrer" title="Open the picture full size in a new tab">
          <img src={url} alt={`Changes from version ${from} to ${to}`} data-testid="diff-image" />
        </a>
      )}
    </div>
  );
}

export function VersionsPanel() {
  const flowId = useEditor((s) => s.flowId) ?? "";
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [error, setError] = useState("");
  const reload = useCallback(() => {
    listVersions(flowId)
      .then(setVersions)
      .catch((e: Error) => setError(e.message));
  }, [flowId]);
  useEffect(reload, [reload]);
  return (
    <div className="fg-versions" data-testid="versions">
      <PublishForm onDone={reload} />
      {error && <p role="alert">{error}</p>}
      <h3>Versions</h3>
      <ul>
        {versions.map((v) => (
          <li key={v.number} data-testid={`version-${v.number}`}>
            <strong>v{v.number}</strong> {v.live && <span className="fg-live">live</span>}{" "}
            <code>{v.hash}</code> {new Date(v.created_at).toLocaleString()} {v.note && <em>— {v.note}</em>}
            {!v.live && (
              <button
                type="button"
                data-testid={`rollback-${v.number}`}
                onClick={() =>
                  rollback(flowId, v.number)
                    .then(reload)
                    .catch((e: Error) => setError(e.message))
                }
              >
                Make live
              </button>
            )}
          </li>
        ))}
      </ul>
      <h3>Compare</h3>
      {versions.length > 0 && <DiffView key={versions.length} versions={versions} flowId={flowId} />}
    </div>
  );
}
