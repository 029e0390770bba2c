// The canvas body every node type shares: header, summary, one named source handle per branch,
// and the marks that come from outside the node (diagnostics, step colour, simulator path).
import { Handle, Position } from "@xyflow/react";
import { type CSSProperties, memo, type ReactNode } from "react";
import type { FlowNode } from "../../api/types";
import { branchLabel } from "../../graph/branches";
import { worst } from "../../graph/diagnostics";
import { useEditor } from "../../store";
import { NODE_DEFAULTS } from "../defaults";
import { useUntested } from "./untested";

export const STEP_COLOURS = ["#fde2e4", "#e2ece9", "#dfe7fd", "#fff1c1", "#e8dff5", "#d7f9f1", "#fce1c8"];

interface Props {
  node: FlowNode;
  entry: boolean;
  branches: string[];
  selected: boolean;
  children?: ReactNode;
}

/** "hop 1 of 3": the API Dialplan request a step is, counted as the platform's nesting limit is. */
export function hopLabel(depth: number, limit: number): string {
  return `hop ${depth} of ${limit}`;
}

function useStepMark(id: string): { colour: string; label: string; deep: boolean } | null {
  const on = useEditor((s) => s.colourBySteps);
  const steps = useEditor((s) => s.steps);
  const limit = useEditor((s) => s.nestingLimit);
  if (!on) return null;
  const idx = steps.findIndex((st) => st.nodes.includes(id));
  const step = steps[idx];
  if (!step) return null;
  const shared = steps.filter((st) => st.nodes.includes(id)).length > 1;
  const colour = STEP_COLOURS[idx % STEP_COLOURS.length] ?? "#eee";
  const where = step.id === "entry" ? "entry" : step.id.replace(/^after_/, "after ");
  return {
    colour,
    label: `${where} · ${hopLabel(step.depth, limit)}${shared ? " · shared" : ""}`,
    deep: step.depth > limit,
  };
}

/** The worst diagnostic on each branch of a node (an unwired option's handle is marked). */
function useBranchLevels(id: string, branches: string[]): Record<string, "error" | "warning" | null> {
  const byEdge = useEditor((s) => s.index.byEdge);
  return Object.fromEntries(branches.map((b) => [b, worst(byEdge.get(`${id}|${b}`))]));
}

/** The colour a node's block has when the canvas is zoomed far out: its step's (so steps read
 * as coloured regions of a big flow), else its type's. */
function useBlockColour(id: string, typeColour: string): string {
  const idx = useEditor((s) => s.steps.findIndex((st) => st.nodes.includes(id)));
  return idx >= 0 ? (STEP_COLOURS[idx % STEP_COLOURS.length] ?? typeColour) : typeColour;
}

function NodeShellImpl({ node, entry, branches, selected, children }: Props) {
  const diags = useEditor((s) => s.index.byNode.get(node.id));
  const lit = useEditor((s) => s.litNodes.includes(node.id));
  const step = useStepMark(node.id);
  const branchLevels = useBranchLevels(node.id, branches);
  const untested = useUntested();
  const meta = NODE_DEFAULTS[node.type].meta;
  const block = useBlockColour(node.id, meta.colour);
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
      style={{ borderLeftColor: meta.colour, "--fg-block": block } as CSSProperties}
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
      {step && (
        <div
          className={`fg-node-step${step.deep ? " is-deep" : ""}`}
          style={{ background: step.colour }}
          data-testid={`node-${node.id}-step`}
        >
          {step.label}
        </div>
      )}
      <div className="fg-branches">
        {branches.map((b) => {
          const level = branchLevels[b];
          const bare = untested?.has(`${node.id}|${b}`);
          return (
            <div
              key={b}
              className={`fg-branch${level ? ` has-${level}` : ""}${bare ? " is-untested" : ""}`}
              data-testid={`handle-${node.id}-${b}`}
              data-severity={level ?? undefined}
              data-untested={bare ? "true" : undefined}
              title={
                level
                  ? `${branchLabel(b)}: not wired — drag from here to the next node`
                  : bare
                    ? `${branchLabel(b)}: no flow test takes this branch`
                    : undefined
              }
            >
              <span>
                {level === "error" && <span aria-hidden="true">⚠ </span>}
                {branchLabel(b)}
              </span>
              <Handle type="source" position={Position.Right} id={b} className="fg-handle-out" />
            </div>
          );
        })}
      </div>
    </div>
  );
}

export const NodeShell = memo(NodeShellImpl);
