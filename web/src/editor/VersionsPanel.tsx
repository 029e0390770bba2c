// Publish with a note (blocked with the diagnostics when errors exist), versions with rollback,
// and a visual diff between any two versions (the server's diff.svg).
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";
import {
  diffUrl,
  type FlowTestResult,
  listVersions,
  publishFlow,
  rollback,
  type VersionSummary,
} from "../api/flows";
import { useEditor, useEditorStore } from "../store";
import { refreshLive, saveNow } from "./hooks";
import { ImpactPanel } from "./ImpactPanel";

/** The flow tests a refused publish reports (409 with `tests`). */
function testsOf(err: ApiError): FlowTestResult[] {
  return err.tests;
}

function PublishForm({
  onDone,
  message,
  setMessage,
}: {
  onDone: () => void;
  message: string;
  setMessage: (m: string) => void;
}) {
  const store = useEditorStore();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [failing, setFailing] = useState<FlowTestResult[]>([]);
  const publish = async () => {
    setBusy(true);
    setMessage("");
    setFailing([]);
    try {
      if (!(await saveNow(store))) throw new Error("The draft could not be saved; see the save status.");
      const s = store.getState();
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
        const s = store.getState();
        s.setDiagnostics(err.diagnostics, s.revision);
        const n = err.diagnostics.filter((d) => d.severity === "error").length;
        setMessage(`Publishing is blocked: ${n} error(s). See Problems.`);
      } else if (err instanceof ApiError && testsOf(err).length) {
        const results = testsOf(err);
        const bad = results.filter((r) => !r.passed);
        setFailing(bad);
        setMessage(`Publishing is blocked: ${bad.length} of ${results.length} flow tests fail.`);
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
      {failing.length > 0 && (
        <>
          <ul className="fg-publish-tests" data-testid="publish-failing-tests">
            {failing.map((r) => (
              <li key={r.name}>
                <strong>{r.name}</strong>: {r.differences[0]}
              </li>
            ))}
          </ul>
          <button type="button" className="fg-link" onClick={() => store.getState().setTab("tests")}>
            Open the Tests tab
          </button>
        </>
      )}
    </form>
  );
}

/** Compare the live version with the newest (or the newest with the one before when it is live). */
export function defaultComparison(versions: readonly VersionSummary[]): [number, number] {
  const newest = versions[0]?.number ?? 1;
  const live = versions.find((v) => v.live)?.number;
  const before = versions.find((v) => v.number !== newest)?.number ?? newest;
  return [live !== undefined && live !== newest ? live : before, newest];
}

/** The diff picture over the whole editor, at its own size (scrolls when bigger); Escape closes. */
export function DiffOverlay({ url, title, onClose }: { url: string; title: string; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="fg-overlay" role="dialog" aria-label={title} data-testid="diff-overlay">
      <div className="fg-overlay-head">
        <strong>{title}</strong>
        <a href={url} target="_blank" rel="noreferrer">
          Open in a new tab
        </a>
        <button type="button" data-testid="diff-close" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="fg-overlay-body">
        <img src={url} alt={title} data-testid="diff-image-large" />
      </div>
    </div>
  );
}

function DiffView({ versions, flowId }: { versions: VersionSummary[]; flowId: string }) {
  const [first, second] = defaultComparison(versions);
  const [from, setFrom] = useState(first);
  const [to, setTo] = useState(second);
  const [url, setUrl] = useState("");
  const [large, setLarge] = useState(false);
  const [error, setError] = useState("");
  const show = async () => {
    setError("");
    try {
      setUrl(await diffUrl(flowId, from, to));
      setLarge(true);
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
        <button
          type="button"
          className="fg-diff-thumb"
          title="Show the picture large"
          data-testid="diff-enlarge"
          onClick={() => setLarge(true)}
        >
          <img src={url} alt={`Changes from version ${from} to ${to}`} data-testid="diff-image" />
        </button>
      )}
      {url && large && (
        <DiffOverlay
          url={url}
          title={`Changes from version ${from} to ${to}`}
          onClose={() => setLarge(false)}
        />
      )}
    </div>
  );
}

/** Making an old version live changes what callers hear at once: ask first, saying what changes. */
function ConfirmRollback({
  version,
  live,
  onConfirm,
  onCancel,
}: {
  version: VersionSummary;
  live: VersionSummary | undefined;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  return (
    <div
      className="fg-confirm"
      role="alertdialog"
      aria-labelledby="rollback-title"
      aria-describedby="rollback-text"
      data-testid="rollback-confirm"
      onKeyDown={(e) => e.key === "Escape" && onCancel()}
    >
      <p id="rollback-title">
        <strong>Make version {version.number} live?</strong>
      </p>
      <p id="rollback-text">
        Callers get version {version.number}
        {version.note ? ` (“${version.note}”)` : ""} from their next call
        {live ? `, instead of version ${live.number}` : ""}. The draft on the canvas is not changed.
      </p>
      <div className="fg-row">
        <button type="button" ref={confirm} data-testid="rollback-yes" onClick={onConfirm}>
          Make v{version.number} live
        </button>
        <button type="button" data-testid="rollback-no" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function VersionsPanel() {
  const store = useEditorStore();
  const flowId = useEditor((s) => s.flowId) ?? "";
  const liveSeq = useEditor((s) => s.liveSeq);
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const [asking, setAsking] = useState<number | null>(null);
  const [picture, setPicture] = useState<{ url: string; title: string } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: liveSeq reloads after a publish or rollback
  const reload = useCallback(() => {
    listVersions(flowId)
      .then(setVersions)
      .catch((e: Error) => setError(e.message));
  }, [flowId, liveSeq]);
  useEffect(reload, [reload]);
  const live = versions.find((v) => v.live);
  const makeLive = (number: number) => {
    setAsking(null);
    rollback(flowId, number)
      .then(() => {
        setMessage(`Version ${number} is live: callers get it from their next call.`);
        return refreshLive(store, flowId);
      })
      .catch((e: Error) => setError(e.message));
  };
  return (
    <div className="fg-versions" data-testid="versions">
      <ImpactPanel onShowPicture={(url, title) => setPicture({ url, title })} />
      {picture && <DiffOverlay url={picture.url} title={picture.title} onClose={() => setPicture(null)} />}
      <PublishForm onDone={() => void refreshLive(store, flowId)} message={message} setMessage={setMessage} />
      {error && <p role="alert">{error}</p>}
      <h3>Versions</h3>
      <ul>
        {versions.map((v) => (
          <li key={v.number} data-testid={`version-${v.number}`}>
            <strong>v{v.number}</strong> {v.live && <span className="fg-live">live</span>}{" "}
            <code>{v.hash}</code> {new Date(v.created_at).toLocaleString()} {v.note && <em>— {v.note}</em>}
            {!v.live && (
              <button type="button" data-testid={`rollback-${v.number}`} onClick={() => setAsking(v.number)}>
                Make live…
              </button>
            )}
            {asking === v.number && (
              <ConfirmRollback
                version={v}
                live={live}
                onConfirm={() => makeLive(v.number)}
                onCancel={() => setAsking(null)}
              />
            )}
          </li>
        ))}
      </ul>
      <h3>Compare</h3>
      {versions.length > 0 && (
        <DiffView key={`${versions.length}-${live?.number}`} versions={versions} flowId={flowId} />
      )}
    </div>
  );
}
