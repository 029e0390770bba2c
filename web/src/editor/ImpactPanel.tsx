// Before publishing: who the draft's changes affect. Replays the calls recorded over a chosen
// window against the saved draft (POST /impact) and says, per (old → new) outcome, how many calls
// would now end differently, with example calls; calls that could not be replayed say why.
import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { type ImpactReport, impactReport, shadedDiffUrl } from "../api/impact";
import { groupSentence, headline, outcomeWords } from "../graph/impact";
import { useEditor, useEditorStore } from "../store";
import { openCall } from "./CallsPanel";
import { plural } from "./plural";

export const WINDOWS = [
  ["1d", "last day"],
  ["7d", "last 7 days"],
  ["30d", "last 30 days"],
] as const;

type State =
  | { status: "loading" }
  | { status: "done"; report: ImpactReport }
  | { status: "error"; message: string };

function errorText(err: unknown): string {
  if (err instanceof ApiError && err.status === 409)
    return "The draft has errors, so its calls cannot be replayed: fix them (see Problems) to see who it affects.";
  return `The impact could not be computed: ${err instanceof Error ? err.message : String(err)}`;
}

function when(epoch: number | null | undefined): string {
  return epoch ? new Date(epoch * 1000).toLocaleString() : "";
}

function Report({ report }: { report: ImpactReport }) {
  const store = useEditorStore();
  const several = report.groups.length > 1;
  return (
    <>
      <p data-testid="impact-headline">
        <strong>{headline(report)}</strong>
      </p>
      {report.replayed + report.not_replayed.length === 0 && (
        <p className="fg-help" data-testid="impact-empty">
          The call log has no calls of this flow in that window, so there is nothing to replay. Once callers
          reach the live version, this shows who a change would affect.
        </p>
      )}
      {report.groups.length > 0 && (
        <ul className="fg-impact-groups">
          {report.groups.map((g) => (
            <li key={`${g.old}→${g.new}`} data-testid="impact-group" data-calls={g.calls}>
              {several && <span>{groupSentence(g)}</span>}
              <div className="fg-help">
                {outcomeWords(g.old)} → {outcomeWords(g.new)} · e.g.{" "}
                {g.examples.map((e) => (
                  <button
                    type="button"
                    key={e.call}
                    className="fg-link"
                    data-testid="impact-example"
                    title={`Call ${e.call}: show its journey`}
                    onClick={() => openCall(store, e.call)}
                  >
                    {e.caller || e.call} {when(e.time)}
                  </button>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
      {report.not_replayed.length > 0 && (
        <ul className="fg-impact-skipped" data-testid="impact-not-replayed">
          {report.not_replayed.map((r) => (
            <li key={r.reason}>
              {plural(r.calls, "call")} could not be replayed: {r.reason}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The diff from the live version to the draft, its changed branches shaded by their calls. */
function ShadedDiff({ since, onShow }: { since: string; onShow: (url: string, title: string) => void }) {
  const flowId = useEditor((s) => s.flowId) ?? "";
  const live = useEditor((s) => s.live);
  const [error, setError] = useState("");
  if (!live) return null;
  const show = () => {
    setError("");
    shadedDiffUrl(flowId, live.number, null, since)
      .then((url) => onShow(url, `Changes from v${live.number} to the draft, shaded by calls`))
      .catch((e: Error) => setError(e.message));
  };
  return (
    <>
      <button type="button" data-testid="impact-diff" onClick={show}>
        Show the changes, shaded by calls
      </button>
      {error && <p role="alert">{error}</p>}
    </>
  );
}

export function ImpactPanel({ onShowPicture }: { onShowPicture: (url: string, title: string) => void }) {
  const flowId = useEditor((s) => s.flowId) ?? "";
  const saved = useEditor((s) => s.savedRevision);
  const liveSeq = useEditor((s) => s.liveSeq);
  const [since, setSince] = useState<string>("7d");
  const [state, setState] = useState<State>({ status: "loading" });
  // biome-ignore lint/correctness/useExhaustiveDependencies: replay again after each save and publish
  useEffect(() => {
    let current = true;
    setState({ status: "loading" });
    impactReport(flowId, since)
      .then((report) => current && setState({ status: "done", report }))
      .catch((err: unknown) => current && setState({ status: "error", message: errorText(err) }));
    return () => {
      current = false;
    };
  }, [flowId, since, saved, liveSeq]);
  return (
    <section className="fg-impact" data-testid="impact" data-status={state.status}>
      <h3>Who publishing affects</h3>
      <div className="fg-row">
        <label>
          Replay the calls of the{" "}
          <select data-testid="impact-window" value={since} onChange={(e) => setSince(e.target.value)}>
            {WINDOWS.map(([value, words]) => (
              <option key={value} value={value}>
                {words}
              </option>
            ))}
          </select>
        </label>
        <ShadedDiff since={since} onShow={onShowPicture} />
      </div>
      {state.status === "loading" && (
        <p className="fg-help">Replaying the recorded calls against the draft…</p>
      )}
      {state.status === "error" && (
        <p role="alert" data-testid="impact-error">
          {state.message}
        </p>
      )}
      {state.status === "done" && <Report report={state.report} />}
    </section>
  );
}
