import type { NodeProps } from "@xyflow/react";
import type { TransferNode } from "../../api/types";
import type { FlowNodeData } from "../../graph/convert";
import { NodeShell } from "../shared/NodeShell";

export function TransferCanvasNode({ data, selected }: NodeProps) {
  const d = data as FlowNodeData;
  const node = d.node as TransferNode;
  const ring = node.ring_type ? ` · ${node.ring_type}` : "";
  return (
    <NodeShell node={node} entry={d.entry} branches={d.branches} selected={selected}>
      → {node.transfer} {(node.targets ?? []).filter(Boolean).join(", ") || "(no target)"}
      {ring}
    </NodeShell>
  );
}
