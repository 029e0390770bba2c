// Branch names as data, read from the generated node-type specs (specs.gen.ts, from flowgraph/specs.py):
// the editor draws one handle per declared branch, and the server's failover-coverage check compares
// against the same list.
import type { FlowNode } from "../api/types";
import { NODE_SPECS } from "./specs.gen";

/** A dotted field of a node ("source.kind"), or undefined where a part is missing. */
function read(node: FlowNode, path: string): unknown {
  let value: unknown = node;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Every branch a node may wire, in display order (flowgraph.specs.declared_branches). */
export function declaredBranches(node: FlowNode): string[] {
  const spec = NODE_SPECS[node.type];
  if (!spec) throw new Error(`unknown node type ${JSON.stringify(node.type)}`);
  const rule = spec.branches;
  const names: string[] = [];
  if (rule.namedBy) {
    const [field = "", attr] = rule.namedBy.split(".");
    const entries = read(node, field);
    for (const e of Array.isArray(entries) ? entries : []) {
      names.push(String(attr ? (e as Record<string, unknown>)[attr] : e));
    }
  }
  for (const branch of rule.fixed) {
    const when = rule.onlyWhen.find((w) => w.branch === branch);
    if (!when || read(node, when.field) === when.value) names.push(branch);
  }
  return names;
}

/** Whether a branch need not be wired (a transfer's no_answer): left for the admin to choose. */
export function isOptional(node: FlowNode, branch: string): boolean {
  return NODE_SPECS[node.type].branches.optional.includes(branch);
}

/** Human label of a branch handle ("no input" rather than "no_input"). */
export function branchLabel(branch: string): string {
  return branch.replaceAll("_", " ");
}
