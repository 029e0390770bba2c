import type { NodeProps } from "@xyflow/react";
import type { PlayNode } from "../../api/types";
import type { FlowNodeData } from "../../graph/convert";
import { NodeShell } from "../shared/NodeShell";

export function PlayCanvasNode({ data, selected }: NodeProps) {
  const d = data as FlowNodeData;
  const node = d.node as PlayNode;
  return (
    <NodeShell node={node} entry={d.entry} branches={d.branches} selected={selected}>
      ▶ {node.recording.type} {node.recording.data || "(no recording)"}
    </NodeShell>
  );
}
