import type { NodeProps } from "@xyflow/react";
import type { MenuNode } from "../../api/types";
import type { FlowNodeData } from "../../graph/convert";
import { NodeShell } from "../shared/NodeShell";

export function MenuCanvasNode({ data, selected }: NodeProps) {
  const d = data as FlowNodeData;
  const node = d.node as MenuNode;
  return (
    <NodeShell node={node} entry={d.entry} branches={d.branches} selected={selected}>
      ☎ {node.recording.data || "(no prompt)"} · keys {(node.options ?? []).join(" ") || "none"}
    </NodeShell>
  );
}
