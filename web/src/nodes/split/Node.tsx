import type { NodeProps } from "@xyflow/react";
import type { SplitNode } from "../../api/types";
import type { FlowNodeData } from "../../graph/convert";
import { NodeShell } from "../shared/NodeShell";

/** "a 50% · b 50%": each arm's share of callers. */
export function describeArms(node: SplitNode): string {
  return (node.arms ?? []).map((a) => `${a.branch} ${a.share}%`).join(" · ");
}

export function SplitCanvasNode({ data, selected }: NodeProps) {
  const d = data as FlowNodeData;
  const node = d.node as SplitNode;
  return (
    <NodeShell node={node} entry={d.entry} branches={d.branches} selected={selected}>
      <div>{describeArms(node) || "no arms"}</div>
    </NodeShell>
  );
}
