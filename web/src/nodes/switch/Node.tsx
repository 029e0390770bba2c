import type { NodeProps } from "@xyflow/react";
import type { SwitchCase, SwitchNode } from "../../api/types";
import type { FlowNodeData } from "../../graph/convert";
import { NodeShell } from "../shared/NodeShell";
import { calendarLines, timeWords } from "./dates";

/** One short line per case condition, e.g. "Mon–Sat 09:00–18:00 except holidays". */
export function describeCase(c: SwitchCase): string {
  const w = c.when;
  switch (w.on) {
    case "time":
      return timeWords(w);
    case "caller":
    case "dialled":
      return `${w.on} ${[...(w.numbers ?? []), ...(w.prefixes ?? []).map((p) => `${p}…`)].join(" ")}`;
    case "variable":
      return `${w.variable} = ${(w.values ?? []).join("|")}`;
    case "table":
      return `in table ${w.table}`;
    default:
      return "";
  }
}

export function SwitchCanvasNode({ data, selected }: NodeProps) {
  const d = data as FlowNodeData;
  const node = d.node as SwitchNode;
  return (
    <NodeShell node={node} entry={d.entry} branches={d.branches} selected={selected}>
      {(node.cases ?? []).map((c) => (
        <div key={c.branch} data-testid={`case-label-${c.branch}`}>
          {c.branch}: <span data-testid={`case-rule-${c.branch}`}>{describeCase(c)}</span>
          {c.when.on === "time" &&
            calendarLines(c.when).map((line) => (
              <div key={line} className="fg-case-calendar">
                {line}
              </div>
            ))}
        </div>
      ))}
    </NodeShell>
  );
}
