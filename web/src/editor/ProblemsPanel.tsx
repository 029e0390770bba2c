// Every diagnostic of the live check, each naming the node it concerns; a click focuses that node
// (or, for a flow-wide problem such as a missing failover, opens the flow settings).
import type { Diagnostic } from "../api/types";
import { adviceOf } from "../graph/diagnostics";
import { nodesOf } from "../graph/ops";
import { useEditor, useEditorStore } from "../store";

function where(d: Diagnostic, names: Map<string, string>): { target: string | null; label: string } {
  const target = d.nodes[0] ?? d.edges[0]?.source ?? null;
  if (!target) return { target: null, label: "Flow settings" };
  const name = names.get(target);
  const branch = !d.nodes.length && d.edges[0] ? ` → ${d.edges[0].branch.replaceAll("_", " ")}` : "";
  return { target, label: `${name && name !== target ? `${name} (${target})` : target}${branch}` };
}

export function ProblemsPanel() {
  const store = useEditorStore();
  const diagnostics = useEditor((s) => s.diagnostics);
  const flow = useEditor((s) => s.flow);
  const focusNode = useEditor((s) => s.focusNode);
  if (!diagnostics.length)
    return (
      <p className="fg-help" data-testid="no-problems">
        No problems found.
      </p>
    );
  const names = new Map(nodesOf(flow ?? { id: "", entry: "" }).map((n) => [n.id, n.name || n.id]));
  const openSettings = () => {
    store.getState().select([]);
    store.getState().setTab("properties");
  };
  return (
    <ul className="fg-problems" data-testid="problems">
      {diagnostics.map((d, i) => {
        const { target, label } = where(d, names);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is replaced as a whole on every check
          <li key={i} className={`sev-${d.severity}`}>
            <button
              type="button"
              data-testid={`problem-${d.code}`}
              onClick={() =>
                target
                  ? focusNode(target)
                  : d.code === "FG701"
                    ? store.getState().setTab("deploy")
                    : openSettings()
              }
            >
              <span className="fg-problem-where">
                <span className="fg-sev">{d.severity}</span> {label} <code>{d.code}</code>
              </span>
              <span className="fg-problem-text">
                {d.message}
                {adviceOf(d) && <span className="fg-hint"> — {adviceOf(d)}</span>}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
