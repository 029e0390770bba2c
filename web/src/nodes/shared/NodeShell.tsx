// The canvas body every node type shares: header, summary, one named source handle per branch,
// and the marks that come from outside the node (diagnostics, step colour, simulator path).
import { Handle, Position } from "@xyflow/react";
import { memo, type ReactNode } from "react";
import type { FlowNode } from "../../api/types";
import { branchLabel } from "../../graph/branches";
import { worst } from "../../graph/diagnostics";
import { useEditor } from "../../store";
import { NODE_DEFAULTS } from "../defaults";

export const STEP_COLOURS = ["#fde2e4", "#e2ece9", "#dfe7fd", "#fff1c1", "#e8dff5", "#d7f9f1", "#fce1c8"];

interface Props {
  node: FlowNode;
  entry: boolean;
  branches: string[];
  selected: boolean;
  children?: ReactNode;
}

function useStepMark(id: string): { colour: string; label: string } | null {
  const on = useEditor((s) => s.colourBySteps);
  const steps = useEditor((s) => s.steps);
  if (!on) return null;
  const idx = steps.findIndex((st) => st.nodes.includes(id));
  const step = steps[idx];
  if (!step) return null;
  const shared = steps.filter((st) => st.nodes.includes(id)).length > 1;
  const colour = STEP_COLOURS[idx % STEP_COLOURS.length] ?? "#eee";
  return { colour, label: `${step.id} · depth ${step.depth}${shared ? " · shared" : ""}` };
}

function NodeShellImpl({ node, entry, branches, selected, children }: Props) {
  const diags = useEditor((s) => s.index.byNode.get(node.id));
  const lit = useEditor((s) => s.litNodes.includes(node.id));
  const step = useStepMark(node.id);
  const meta = NODE_DEFAULTS[node.type].meta;
  const level = worst(diags);
  const classes = ["fg-node", `fg-node-${node.type}`];
  if (selected) classes.push("is-selected");
  if (level) classes.push(`has-${level}`);
  if (lit) classes.push("is-lit");
  return (
    <div
      className={classes.join(" ")}
      data-testid={`node-${node.id}`}
      data-severity={level ?? undefined}
      data-lit={lit ? "true" : undefined}
      style={{ borderLeftColor: meta.colour, background: step?.colour }}
      title={diags?.map((d) => `${d.severity}: ${d.message}`).join("\n")}
    >
      <Handle type="target" position={Position.Left} id="in" className="fg-handle-in" />
      <div className="fg-node-head">
        <span className="fg-node-type" style={{ background: meta.colour }}>
          {meta.label}
        </span>
        {entry && <span className="fg-entry">entry</span>}
        {level && (
          <span className={`fg-badge fg-badge-${level}`} data-testid={`node-${node.id}-badge`}>
            {diags?.length}
          </span>
        )}
      </div>
      <div className="fg-node-title">{node.name || node.id}</div>
      {node.name && <div className="fg-node-id">{node.id}</div>}
      {children && <div className="fg-node-summary">{children}</div>}
      {step && <div className="fg-node-step">{step.label}</div>}
      <div className="fg-branches">
        {branches.map((b) => (
          <div key={b} className="fg-branch" data-testid={`handle-${node.id}-${b}`}>
            <span>{branchLabel(b)}</span>
            <Handle type="source" position={Position.Right} id={b} className="fg-handle-out" />
          </div>
        ))}
      </div>
    </div>
  );
}

export const NodeShell = memo(NodeShellImpl);
