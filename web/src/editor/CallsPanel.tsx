// The call log of this flow: recent calls with the flow version that answered them, and one
// call's journey request by request (step, version, the nodes it went through, any failover),
// lit on the canvas.
import { useCallback, useEffect, useState } from "react";
import { listVersions } from "../api/flows";
import { type CallRecord, callJourney, recentRecords } from "../api/impact";
import { groupRecords, type RecordedCall, versionName } from "../graph/impact";
import { pathEdges } from "../graph/journey";
import { type EditorStore, useEditor, useEditorStore } from "../store";

/** Show one call's journey on `store`'s Calls tab (from elsewhere, e.g. an impact example). */
export function openCall(store: EditorStore, call: string): void {
  store.getState().showCall(call);
  store.getState().setTab("calls");
}

function VersionBadge({ hash, numbers }: { hash: string; numbers: ReadonlyMap<string, number> }) {
  return (
    <span className="fg-version" title={`flow version ${hash}`} data-testid="call-version">
      {versionName(hash, numbers)}
    </span>
  );
}

function endText(call: { failover: string | null; end: string | null }): string {
  if (call.failover) return `failover: ${call.failover.split(":")[0]}`;
  return call.end ? `ended at ${call.end}` : "continues";
}

function Journey({ call, numbers }: { call: string; numbers: ReadonlyMap<string, number> }) {
  const store = useEditorStore();
  const flowId = useEditor((s) => s.flowId) ?? "";
  const [requests, setRequests] = useState<CallRecord[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setRequests(null);
    callJourney(flowId, call)
      .then((list) => {
        setRequests(list);
        const s = store.getState();
        const path = list.flatMap((r) => r.trace.map((t) => t.node)).filter((n, i, a) => a[i - 1] !== n);
        if (s.flow) s.setLit(path, pathEdges(s.flow, path));
      })
      .catch((e: Error) => setError(e.message));
    return () => store.getState().setLit([], []);
  }, [store, flowId, call]);
  if (error) return <p role="alert">{error}</p>;
  if (!requests) return <p className="fg-help">Loading the journey…</p>;
  if (!requests.length) return <p className="fg-help">The call log has no requests of call {call}.</p>;
  return (
    <ol className="fg-journey" data-testid="call-journey">
      {requests.map((r) => (
        <li key={r.id} data-testid="journey-request">
          <strong>{r.step}</strong> answered by{" "}
          <span data-testid="journey-version">
            <VersionBadge hash={r.version} numbers={numbers} />
          </span>{" "}
          <span className="fg-help">
            {new Date(r.time * 1000).toLocaleTimeString()} · {r.latency_ms.toFixed(1)} ms
          </span>
          <div className="fg-help">
            {r.trace.map((t) => (t.branch ? `${t.node} (${t.branch})` : t.node)).join(" → ")}
          </div>
          {r.failover_reason && <div className="fg-warning">Failover: {r.failover_reason}</div>}
        </li>
      ))}
    </ol>
  );
}

export function CallsPanel() {
  const flowId = useEditor((s) => s.flowId) ?? "";
  const liveSeq = useEditor((s) => s.liveSeq);
  const open = useEditor((s) => s.shownCall);
  const showCall = useEditor((s) => s.showCall);
  const [calls, setCalls] = useState<RecordedCall[] | null>(null);
  const [numbers, setNumbers] = useState<ReadonlyMap<string, number>>(new Map());
  const [error, setError] = useState("");
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload after a publish or rollback
  const reload = useCallback(() => {
    setError("");
    Promise.all([recentRecords(flowId), listVersions(flowId)])
      .then(([records, versions]) => {
        setNumbers(new Map(versions.map((v) => [v.hash, v.number])));
        setCalls(groupRecords(records));
      })
      .catch((e: Error) => setError(e.message));
  }, [flowId, liveSeq]);
  useEffect(reload, [reload]);
  return (
    <div className="fg-calls" data-testid="calls-panel">
      <div className="fg-row">
        <p className="fg-help">
          Recent calls of the live flow, newest first, with the version that answered.
        </p>
        <button type="button" data-testid="calls-reload" onClick={reload}>
          Reload
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {calls && calls.length === 0 && (
        <p className="fg-help" data-testid="calls-empty">
          No calls recorded yet: once the platform calls this flow, each call is listed here.
        </p>
      )}
      <ul className="fg-call-list">
        {(calls ?? []).map((c) => (
          <li key={c.key} data-testid={`call-${c.key}`} aria-current={open === c.key ? "true" : undefined}>
            <button type="button" className="fg-link" onClick={() => showCall(c.key)}>
              {new Date(c.started * 1000).toLocaleString()} · {c.caller || "unknown caller"}
            </button>{" "}
            {c.versions.map((v) => (
              <VersionBadge key={v} hash={v} numbers={numbers} />
            ))}{" "}
            <span className="fg-help">{endText(c)}</span>
          </li>
        ))}
      </ul>
      {open && (
        <section data-testid="call-detail">
          <h3>Call {open}</h3>
          <Journey call={open} numbers={numbers} />
        </section>
      )}
    </div>
  );
}
