import type { NodeProps } from "@xyflow/react";
import type { DialplanNode } from "../../api/types";
import type { FlowNodeData } from "../../graph/convert";
import { NodeShell } from "../shared/NodeShell";

export function DialplanCanvasNode({ data, selected }: NodeProps) {
  const d = data as FlowNodeData;
  const node = d.node as DialplanNode;
  return (
    <NodeShell node={node} entry={d.entry} branches={d.branches} selected={selected}>
      ⇢ API dialplan {node.dialplan_id || "(no id)"}
    </NodeShell>
  );
}
