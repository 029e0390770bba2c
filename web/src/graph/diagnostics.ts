// Index the server's diagnostics by what they concern, so nodes, edges and fields can show them.
// The editor never decides validity itself: it only places what the server reported.
import type { Diagnostic } from "../api/types";

export interface DiagnosticIndex {
  byNode: Map<string, Diagnostic[]>;
  byEdge: Map<string, Diagnostic[]>;
  /** `${node}|${field}` -> diagnostics naming that field of that node. */
  byField: Map<string, Diagnostic[]>;
  errors: number;
  warnings: number;
}

export function edgeKey(source: string, branch: string): string {
  return `${source}|${branch}`;
}

function push<K>(map: Map<K, Diagnostic[]>, key: K, d: Diagnostic): void {
  const list = map.get(key);
  if (list) list.push(d);
  else map.set(key, [d]);
}

/** Group diagnostics by node, by edge (source + branch) and by node field. */
export function indexDiagnostics(diagnostics: readonly Diagnostic[]): DiagnosticIndex {
  const index: DiagnosticIndex = {
    byNode: new Map(),
    byEdge: new Map(),
    byField: new Map(),
    errors: 0,
    warnings: 0,
  };
  for (const d of diagnostics) {
    if (d.severity === "error") index.errors += 1;
    else index.warnings += 1;
    for (const n of d.nodes) push(index.byNode, n, d);
    for (const e of d.edges) push(index.byEdge, edgeKey(e.source, e.branch), d);
    if (d.field) for (const n of d.nodes) push(index.byField, `${n}|${d.field}`, d);
  }
  return index;
}

/** The worst severity in a list, or null when empty. */
export function worst(list: readonly Diagnostic[] | undefined): "error" | "warning" | null {
  if (!list?.length) return null;
  return list.some((d) => d.severity === "error") ? "error" : "warning";
}

/** Diagnostics whose field is `field` or lies under it (`recording` matches `recording.data`). */
export function fieldDiagnostics(index: DiagnosticIndex, node: string, field: string): Diagnostic[] {
  // Only this node's diagnostics: every field of every panel asks, so scanning all of a big
  // flow's diagnostics each time made typing slow (bench/editor_typing_bench.py).
  return (index.byNode.get(node) ?? []).filter(
    (d) =>
      d.field && (d.field === field || d.field.startsWith(`${field}.`) || d.field.startsWith(`${field}[`)),
  );
}

/** A located problem from a 422 answer: `node 'menu' nodes[2].recording.data` and why. */
export interface Problem {
  path: string;
  message: string;
}

const NODE_PATH = /^(?:node '([^']*)' )?nodes\[(\d+)\]\.?(.*)$/;

// The server's format checks speak pydantic; an admin reads "recording is empty".
const PLAIN_MESSAGES: [RegExp, string][] = [
  [/^String should have at least 1 character$/, "is empty"],
  [/^Field required$/, "is missing"],
  [/^List should have at least 1 item.*$/, "needs at least one entry"],
];

/** A located field in words: `recording.data` -> "recording", `targets[0]` -> "target 1". */
export function fieldLabel(path: string): string {
  if (!path) return "node";
  const item = /^(\w+?)s?\[(\d+)\]$/.exec(path);
  if (item) return `${item[1]?.replaceAll("_", " ")} ${Number(item[2]) + 1}`;
  return path
    .replace(/\.data$/, "")
    .replace(/\[(\d+)\]/g, (_, n: string) => ` ${Number(n) + 1}`)
    .replaceAll(".", " ")
    .replaceAll("_", " ");
}

function plainMessage(message: string): string {
  for (const [re, plain] of PLAIN_MESSAGES) if (re.test(message)) return plain;
  return `: ${message}`;
}

/**
 * Turn the server's located format problems into diagnostics (code `format`), so they show on
 * the node and field they name like any other server diagnostic, in words an admin reads.
 */
export function problemsToDiagnostics(
  problems: readonly Problem[],
  nodeIds: readonly string[],
): Diagnostic[] {
  return problems.map((p) => {
    const m = NODE_PATH.exec(p.path);
    const node = m ? (m[1] ?? nodeIds[Number(m[2])]) : undefined;
    const field = m ? (m[3] ?? "") : p.path;
    const text = plainMessage(p.message);
    return {
      code: "format",
      severity: "error",
      message: `${fieldLabel(field)}${text.startsWith(":") ? text : ` ${text}`}`,
      nodes: node ? [node] : [],
      edges: [],
      evidence: {},
      hint: "the draft is not saved until this is fixed",
      field: m?.[3] ?? "",
    };
  });
}

/** The advice to show in the editor: its own wording when the server has one, else the CLI hint
 * without the JSON-ish backticks. */
export function adviceOf(d: Diagnostic): string {
  return d.advice || d.hint.replaceAll("`", "");
}

/**
 * Drop the "path ends here" diagnostics (FG403) whose every branch is already reported as not
 * wired (FG402): in the editor both point at the same handle, and one unwired menu would count
 * twice. FG403s about other dead ends (a branch to a missing node) stay.
 */
export function foldDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const unwired = new Set(
    list.filter((d) => d.code === "FG402").flatMap((d) => d.edges.map((e) => edgeKey(e.source, e.branch))),
  );
  return list.filter(
    (d) =>
      d.code !== "FG403" || !d.edges.length || d.edges.some((e) => !unwired.has(edgeKey(e.source, e.branch))),
  );
}
