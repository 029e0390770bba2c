import type { Flow, FlowNode } from "../../api/types";

/** What every per-type property panel receives. */
export interface PanelProps<N extends FlowNode = FlowNode> {
  node: N;
  flow: Flow;
  /** Apply a change to this node; edits with the same `key` typed in a row undo as one step. */
  update(patch: Partial<N>, key?: string): void;
  /** Apply a change to the flow itself (its tables, recordings). */
  editFlow(fn: (f: Flow) => Flow, key?: string): void;
}
