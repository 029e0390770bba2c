// The deployment sheet: what to create in the portal, with copy buttons, and a field per step to
// paste back the portal's dialplan id (saved into flow.settings.deployment.dialplan_ids).
import { useEffect, useState } from "react";
import { request } from "../api/client";
import { compileDraft } from "../api/flows";
import { setDialplanId } from "../graph/ops";
import { useEditor } from "../store";

type Sheet = Record<string, unknown> & { steps?: Record<string, unknown>[] };

function CopyRow({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="fg-copy-row">
      <span className="fg-copy-label">{label}</span>
      <code>{value}</code>
      <button
        type="button"
        aria-label={`Copy ${label}`}
        onClick={() =>
          navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

function text(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 1);
}

/** The sheet from the server (/deployment), or the compiled plan's steps while it is not available. */
async function loadSheet(flowId: string): Promise<Sheet> {
  try {
    return (await request("GET", `/api/flows/${encodeURIComponent(flowId)}/deployment`)).body as Sheet;
  } catch {
    const plan = (await compileDraft(flowId)).plan as Sheet;
    return { mode: plan.mode, steps: (plan.steps ?? []).map(({ id, depth }) => ({ id, depth })) };
  }
}

export function DeployPanel() {
  const flowId = useEditor((s) => s.flowId) ?? "";
  const saved = useEditor((s) => s.savedRevision);
  const ids = useEditor((s) => s.flow?.settings?.deployment?.dialplan_ids) ?? {};
  const edit = useEditor((s) => s.edit);
  const [sheet, setSheet] = useState<Sheet | null>(null);
  const [error, setError] = useState("");
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload after each save
  useEffect(() => {
    loadSheet(flowId)
      .then(setSheet)
      .catch((e: Error) => setError(`${e.message} (fix the errors in Problems to get the sheet)`));
  }, [flowId, saved]);
  if (error && !sheet) return <p role="alert">{error}</p>;
  if (!sheet) return <p className="fg-help">Loading…</p>;
  const top = Object.entries(sheet).filter(([k, v]) => k !== "steps" && v != null && typeof v !== "object");
  return (
    <div className="fg-deploy" data-testid="deploy-sheet">
      {top.map(([k, v]) => (
        <CopyRow key={k} label={k} value={text(v)} />
      ))}
      {(sheet.steps ?? []).map((step) => {
        const sid = String(step.id ?? step.step ?? "");
        return (
          <section key={sid} className="fg-deploy-step" data-testid={`deploy-step-${sid}`}>
            <h3>Step {sid}</h3>
            {Object.entries(step)
              .filter(([k, v]) => k !== "id" && v != null && v !== "")
              .map(([k, v]) => (
                <CopyRow key={k} label={k} value={text(v)} />
              ))}
            <label htmlFor={`dp-${sid}`}>Portal dialplan id for {sid}</label>
            <input
              id={`dp-${sid}`}
              data-testid={`dialplan-id-${sid}`}
              value={ids[sid] ?? ""}
              placeholder="paste the id the portal shows"
              onChange={(e) => edit((f) => setDialplanId(f, sid, e.target.value), `dp:${sid}`)}
            />
          </section>
        );
      })}
    </div>
  );
}
