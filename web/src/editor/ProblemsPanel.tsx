// Every diagnostic of the live check; a click focuses the node it concerns.
import { useEditor } from "../store";

export function ProblemsPanel() {
  const diagnostics = useEditor((s) => s.diagnostics);
  const focusNode = useEditor((s) => s.focusNode);
  if (!diagnostics.length)
    return (
      <p className="fg-help" data-testid="no-problems">
        No problems found.
      </p>
    );
  return (
    <ul className="fg-problems" data-testid="problems">
      {diagnostics.map((d, i) => {
        const target = d.nodes[0] ?? d.edges[0]?.source;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is replaced as a whole on every check
          <li key={i} className={`sev-${d.severity}`}>
            <button
              type="button"
              data-testid={`problem-${d.code}`}
              disabled={!target}
              onClick={() => target && focusNode(target)}
            >
              <span className="fg-sev">{d.severity}</span> <code>{d.code}</code> {d.message}
              {d.hint && <span className="fg-hint"> — {d.hint}</span>}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
