// Branch names as data, the same names as flowgraph.model.declared_branches: the editor draws one
// handle per declared branch, and the server's failover-coverage check compares against the same list.
import type { FlowNode } from "../api/types";

/** Every branch a node may wire, in display order. */
export function declaredBranches(node: FlowNode): string[] {
  switch (node.type) {
    case "menu":
      return [...(node.options ?? []), "no_input", "invalid"];
    case "switch":
      return [...(node.cases ?? []).map((c) => c.branch), "default"];
    case "lookup":
      return node.source.kind === "http" ? ["found", "not_found", "error"] : ["found", "not_found"];
    case "transfer":
      return ["no_answer"];
    case "play":
      return ["next"];
    default:
      return [];
  }
}

/** Human label of a branch handle ("no input" rather than "no_input"). */
export function branchLabel(branch: string): string {
  return branch.replaceAll("_", " ");
}
