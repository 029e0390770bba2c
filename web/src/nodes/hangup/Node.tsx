import type { NodeProps } from "@xyflow/react";
import type { FlowNodeData } from "../../graph/convert";
import { NodeShell } from "../shared/NodeShell";

export function HangupCanvasNode({ data, selected }: NodeProps) {
  const d = data as FlowNodeData;
  return <NodeShell node={d.node} entry={d.entry} branches={d.branches} selected={selected} />;
}
