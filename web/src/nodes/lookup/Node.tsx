import type { NodeProps } from "@xyflow/react";
import type { LookupNode } from "../../api/types";
import type { FlowNodeData } from "../../graph/convert";
import { NodeShell } from "../shared/NodeShell";

export function LookupCanvasNode({ data, selected }: NodeProps) {
  const d = data as FlowNodeData;
  const node = d.node as LookupNode;
  const s = node.source;
  return (
    <NodeShell node={node} entry={d.entry} branches={d.branches} selected={selected}>
      {s.kind === "table"
        ? `table ${s.table || "?"} by ${s.key ?? "{{caller_id_number}}"}`
        : `${s.method ?? "GET"} ${s.url}`}
    </NodeShell>
  );
}
