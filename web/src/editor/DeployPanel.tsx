// The deployment sheet: what to create in the portal, with copy buttons, and a field per step to
// paste back the portal's dialplan id (saved into flow.settings.deployment.dialplan_ids).
import { useEffect, useState } from "react";
import { type DeploymentSheet, deploymentSheet } from "../api/impact";
import type { Destination } from "../api/types";
import { setDialplanId } from "../graph/ops";
import { useEditor } from "../store";

function SheetSource({ sheet }: { sheet: DeploymentSheet }) {
  if (sheet.source === "draft")
    return (
      <p className="fg-warning" data-testid="deploy-source">
        Not published yet: this sheet describes the draft ({sheet.version}). Publish before pointing a number
        at it.
      </p>
    );
  return (
    <p className="fg-help" data-testid="deploy-source">
      Live version <strong>v{sheet.published_version}</strong> ({sheet.version}) · mode {sheet.mode}: what
      callers get.
      {sheet.draft_differs && (
        <span className="fg-warning" data-testid="deploy-draft-differs">
          {" "}
          The draft on the canvas differs from it: publish to deploy the changes.
        </span>
      )}
    </p>
  );
}

/**
 * Copy text to the clipboard. The Clipboard API exists only on secure origins (https or
 * localhost); an editor served over plain http on a LAN address falls back to a selection copy.
 */
async function copyText(value: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(value).then(
      () => true,
      () => false,
    );
  }
  const area = document.createElement("textarea");
  area.value = value;
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok;
}

function CopyRow({ label, value }: { label: string; value: string }) {
  const [state, setState] = useState<"" | "Copied" | "Select and copy by hand">("");
  return (
    <div className="fg-copy-row">
      <span className="fg-copy-label">{label}</span>
      <code>{value}</code>
      <button
        type="button"
        aria-label={`Copy ${label}`}
        title={state === "Select and copy by hand" ? "The browser refused to copy" : undefined}
        onClick={() => void copyText(value).then((ok) => setState(ok ? "Copied" : "Select and copy by hand"))}
      >
        {state === "Copied" ? "Copied" : state ? "Copy failed" : "Copy"}
      </button>
    </div>
  );
}

/** The failover as the portal asks for it (a destination type, then its target), not as JSON. */
export function failoverText(d: Destination): string {
  return `${d.type.replace("_", " ")}: ${(d.data ?? []).join(", ")}`;
}

export function DeployPanel() {
  const flowId = useEditor((s) => s.flowId) ?? "";
  const saved = useEditor((s) => s.savedRevision);
  const liveSeq = useEditor((s) => s.liveSeq);
  const ids = useEditor((s) => s.flow?.settings?.deployment?.dialplan_ids) ?? {};
  const edit = useEditor((s) => s.edit);
  const [sheet, setSheet] = useState<DeploymentSheet | null>(null);
  const [error, setError] = useState("");
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload after each save, publish and rollback
  useEffect(() => {
    deploymentSheet(flowId)
      .then((out) => {
        setSheet(out);
        setError("");
      })
      .catch((e: Error) => setError(`${e.message} (fix the errors in Problems to get the sheet)`));
  }, [flowId, saved, liveSeq]);
  if (!sheet) return error ? <p role="alert">{error}</p> : <p className="fg-help">Loading…</p>;
  return (
    <div className="fg-deploy" data-testid="deploy-sheet">
      {error && <p role="alert">{error}</p>}
      <SheetSource sheet={sheet} />
      {sheet.warnings.map((w) => (
        <p key={w} className="fg-warning" role="alert" data-testid="deploy-warning">
          ⚠ {w}
        </p>
      ))}
      <h3>In the Smartflo portal</h3>
      <ol className="fg-portal-steps" data-testid="portal-steps">
        {sheet.portal_steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      {sheet.dialplans.map((d) => {
        const key = d.dialplan_id_key;
        return (
          <section key={d.name} className="fg-deploy-step" data-testid={`deploy-step-${d.step ?? "flow"}`}>
            <h3>
              {d.name} {d.assign_to_number && <span className="fg-live">assign to the number</span>}
            </h3>
            <CopyRow label="URL" value={d.url} />
            <CopyRow label="Method" value={d.method} />
            <CopyRow label="Body" value={d.request_body_text} />
            <CopyRow label="Header" value={d.header.name} />
            <CopyRow label="Header value" value={d.header.value} />
            <CopyRow label="Failover" value={failoverText(d.failover)} />
            {key && (
              <>
                <label htmlFor={`dp-${key}`}>Portal dialplan id of “{key}”</label>
                <input
                  id={`dp-${key}`}
                  data-testid={`dialplan-id-${key}`}
                  value={ids[key] ?? ""}
                  placeholder="paste the id the portal shows"
                  onChange={(e) => edit((f) => setDialplanId(f, key, e.target.value), `dp:${key}`)}
                />
                <p className="fg-help">Saved into the draft: publish again so the live flow sends this id.</p>
              </>
            )}
          </section>
        );
      })}
      {sheet.notes.map((n) => (
        <p key={n} className="fg-help">
          {n}
        </p>
      ))}
    </div>
  );
}
