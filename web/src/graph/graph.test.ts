import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic, Flow, MenuNode } from "../api/types";
import { createNode } from "../nodes/defaults";
import { declaredBranches } from "./branches";
import { copyNodes, parseClip, pasteClip } from "./clipboard";
import { flowToCanvas, parseEdgeId } from "./convert";
import { fieldDiagnostics, indexDiagnostics, worst } from "./diagnostics";
import { layoutPositions } from "./layout";
import {
  addNode,
  addNote,
  connect,
  disconnect,
  moveNodes,
  noteNodeId,
  removeNodes,
  renameNode,
  setDialplanId,
  uniqueId,
  updateNode,
} from "./ops";
import { searchNodes } from "./search";

const example = (name: string): Flow =>
  JSON.parse(readFileSync(resolve(__dirname, "../../../examples", `${name}.json`), "utf8")) as Flow;

const empty = (): Flow => ({ id: "t", entry: "", nodes: [] });

function menuFlow(): Flow {
  let f = addNode(empty(), createNode("menu", "menu"), { x: 0, y: 0 });
  f = addNode(f, createNode("transfer", "sales"), { x: 300, y: 0 });
  f = addNode(f, createNode("transfer", "support"), { x: 300, y: 150 });
  return f;
}

describe("branches", () => {
  it("match flowgraph.model.declared_branches for every node type", () => {
    const menu = createNode("menu", "m") as MenuNode;
    expect(declaredBranches({ ...menu, options: ["1", "2"] })).toEqual(["1", "2", "no_input", "invalid"]);
    expect(declaredBranches(createNode("play", "p"))).toEqual(["next"]);
    expect(declaredBranches(createNode("transfer", "t"))).toEqual(["no_answer"]);
    expect(declaredBranches(createNode("switch", "s"))).toEqual(["office_hours", "default"]);
    expect(declaredBranches(createNode("lookup", "l"))).toEqual(["found", "not_found"]);
    expect(declaredBranches(createNode("hangup", "h"))).toEqual([]);
    expect(declaredBranches(createNode("dialplan", "d"))).toEqual([]);
    const http = { ...createNode("lookup", "l"), source: { kind: "http", url: "https://x" } } as const;
    expect(declaredBranches(http as never)).toEqual(["found", "not_found", "error"]);
  });
});

describe("ops", () => {
  it("adds nodes, makes the first one the entry and records positions", () => {
    const f = menuFlow();
    expect(f.entry).toBe("menu");
    expect(f.nodes?.map((n) => n.id)).toEqual(["menu", "sales", "support"]);
    expect(f.layout?.positions?.support).toEqual({ x: 300, y: 150 });
  });

  it("connects and disconnects branches without mutating the input", () => {
    const before = menuFlow();
    const wired = connect(before, "menu", "1", "sales");
    expect(wired.nodes?.[0]?.branches).toEqual({ "1": "sales" });
    expect(before.nodes?.[0]?.branches).toEqual({});
    expect(disconnect(wired, "menu", "1").nodes?.[0]?.branches).toEqual({});
  });

  it("removes nodes with the branches, positions and notes that name them", () => {
    let f = connect(menuFlow(), "menu", "1", "sales");
    f = addNote(f, "call back", { x: 1, y: 2 }, "sales");
    const out = removeNodes(f, ["sales"]);
    expect(out.nodes?.map((n) => n.id)).toEqual(["menu", "support"]);
    expect(out.nodes?.[0]?.branches).toEqual({});
    expect(out.layout?.positions?.sales).toBeUndefined();
    expect(out.layout?.notes).toEqual([]);
    expect(removeNodes(f, ["menu"]).entry).toBe("sales");
  });

  it("prunes wired branches that a node no longer declares", () => {
    let f = connect(connect(menuFlow(), "menu", "1", "sales"), "menu", "2", "support");
    f = updateNode(f, "menu", { options: ["1"] } as Partial<MenuNode>);
    expect(f.nodes?.[0]?.branches).toEqual({ "1": "sales" });
  });

  it("renames a node everywhere it is referenced", () => {
    const f = renameNode(connect(menuFlow(), "menu", "1", "sales"), "sales", "sales_team");
    expect(f.nodes?.[0]?.branches).toEqual({ "1": "sales_team" });
    expect(f.layout?.positions?.sales_team).toEqual({ x: 300, y: 0 });
    expect(renameNode(f, "menu", "main").entry).toBe("main");
  });

  it("derives unique, valid ids", () => {
    const f = menuFlow();
    expect(uniqueId(f, "menu")).toBe("menu_2");
    expect(uniqueId(f, "2 offers")).toBe("n_2_offers");
    expect(uniqueId(f, "new")).toBe("new");
  });

  it("moves nodes and notes in layout only", () => {
    let f = addNote(menuFlow(), "hello", { x: 0, y: 0 });
    const logic = JSON.stringify(f.nodes);
    f = moveNodes(f, { sales: { x: 10.4, y: 20.6 }, [noteNodeId("n1")]: { x: 5, y: 6 } });
    expect(f.layout?.positions?.sales).toEqual({ x: 10, y: 21 });
    expect(f.layout?.notes?.[0]).toMatchObject({ x: 5, y: 6, text: "hello" });
    expect(JSON.stringify(f.nodes)).toBe(logic);
  });

  it("stores and clears portal dialplan ids per step", () => {
    const f = setDialplanId(menuFlow(), "entry", " 66ab41c1 ");
    expect(f.settings?.deployment?.dialplan_ids).toEqual({ entry: "66ab41c1" });
    expect(setDialplanId(f, "entry", "").settings?.deployment?.dialplan_ids).toEqual({});
  });
});

describe("clipboard", () => {
  it("pastes with fresh ids, rewiring internal branches and keeping existing targets", () => {
    let f = connect(menuFlow(), "menu", "1", "sales");
    f = connect(f, "menu", "2", "support");
    const clip = parseClip(JSON.stringify(copyNodes(f, ["menu", "sales"])));
    expect(clip).not.toBeNull();
    const { flow, ids } = pasteClip(f, clip as NonNullable<typeof clip>, { x: 40, y: 40 });
    expect(ids).toEqual(["menu_2", "sales_2"]);
    const pasted = flow.nodes?.find((n) => n.id === "menu_2");
    expect(pasted?.branches).toEqual({ "1": "sales_2", "2": "support" });
    expect(flow.layout?.positions?.sales_2).toEqual({ x: 340, y: 40 });
    // Into another flow: the branch to "support" has no target there and is dropped.
    const other = pasteClip(empty(), clip as NonNullable<typeof clip>, { x: 0, y: 0 }).flow;
    expect(other.nodes?.[0]?.branches).toEqual({ "1": "sales" });
    expect(other.entry).toBe("menu");
    expect(parseClip("not json")).toBeNull();
  });
});

describe("convert", () => {
  it("turns an example into one canvas node per node and one edge per wired branch", () => {
    const flow = example("delivery_agents");
    const { nodes, edges } = flowToCanvas(flow, new Set(["order"]));
    expect(nodes.map((n) => n.id)).toEqual(flow.nodes?.map((n) => n.id));
    const wired = (flow.nodes ?? []).flatMap((n) => Object.keys(n.branches ?? {}).map((b) => `${n.id}|${b}`));
    expect(edges.map((e) => e.id).sort()).toEqual(wired.sort());
    const e = edges.find((x) => x.id === "help_menu|no_input");
    expect(e).toMatchObject({ sourceHandle: "no_input", target: "support", label: "no input" });
    expect(nodes.find((n) => n.id === "order")?.selected).toBe(true);
    expect(parseEdgeId("a|b|no_input")).toEqual({ source: "a|b", branch: "no_input" });
  });

  it("skips dangling branches and draws notes", () => {
    let f = connect(menuFlow(), "menu", "1", "nowhere");
    f = addNote(f, "remember", { x: 3, y: 4 }, "menu");
    const { nodes, edges } = flowToCanvas(f);
    expect(edges).toEqual([]);
    expect(nodes.at(-1)).toMatchObject({ id: "note:n1", type: "note", data: { text: "remember" } });
  });
});

describe("layout", () => {
  it("places nodes left to right along branches", () => {
    const flow = example("delivery_agents");
    const p = layoutPositions(flow);
    expect(Object.keys(p).sort()).toEqual((flow.nodes ?? []).map((n) => n.id).sort());
    expect((p.order?.x ?? 0) < (p.connect_agent?.x ?? 0)).toBe(true);
    expect((p.connect_agent?.x ?? 0) < (p.delivery_agent?.x ?? 0)).toBe(true);
    expect(layoutPositions(flow)).toEqual(p);
  });
});

describe("search", () => {
  it("finds nodes by id and name, exact ids first", () => {
    const flow = example("delivery_agents");
    expect(searchNodes(flow, "support")[0]?.id).toBe("support");
    expect(searchNodes(flow, "order status")[0]?.id).toBe("order_status");
    expect(searchNodes(flow, "order status").map((n) => n.id)).toContain("help_menu");
    expect(searchNodes(flow, "   ")).toEqual([]);
  });
});

describe("diagnostics index", () => {
  const diags: Diagnostic[] = [
    {
      code: "branch-unwired",
      severity: "error",
      message: "menu 'menu' has no 'invalid' branch",
      nodes: ["menu"],
      edges: [{ source: "menu", branch: "invalid" }],
      field: "",
      evidence: {},
      hint: "",
    },
    {
      code: "recording",
      severity: "warning",
      message: "x",
      nodes: ["menu"],
      edges: [],
      field: "recording.data",
      evidence: {},
      hint: "",
    },
  ];

  it("groups by node, edge and field", () => {
    const index = indexDiagnostics(diags);
    expect(index.errors).toBe(1);
    expect(index.warnings).toBe(1);
    expect(worst(index.byNode.get("menu"))).toBe("error");
    expect(index.byEdge.get("menu|invalid")?.[0]?.code).toBe("branch-unwired");
    expect(fieldDiagnostics(index, "menu", "recording").map((d) => d.code)).toEqual(["recording"]);
    expect(worst(undefined)).toBeNull();
  });
});

describe("format problems", () => {
  it("become diagnostics on the node and field they name", async () => {
    const { problemsToDiagnostics } = await import("./diagnostics");
    const out = problemsToDiagnostics(
      [
        { path: "node 'menu' nodes[0].recording.data", message: "String should have at least 1 character" },
        { path: "nodes[1].targets", message: "too short" },
        { path: "entry", message: "Field required" },
      ],
      ["menu", "sales"],
    );
    expect(out.map((d) => [d.nodes, d.field])).toEqual([
      [["menu"], "recording.data"],
      [["sales"], "targets"],
      [[], ""],
    ]);
    // In words an admin reads, not pydantic's.
    expect(out.map((d) => d.message)).toEqual([
      "recording is empty",
      "targets: too short",
      "entry is missing",
    ]);
    expect(out[0]?.hint).toContain("not saved");
    expect(out.every((d) => d.severity === "error" && d.code === "format")).toBe(true);
  });
});

describe("fieldLabel", () => {
  it("names located fields in words", async () => {
    const { fieldLabel } = await import("./diagnostics");
    expect(fieldLabel("recording.data")).toBe("recording");
    expect(fieldLabel("targets[0]")).toBe("target 1");
    expect(fieldLabel("cases[1].when.from")).toBe("cases 2 when from");
    expect(fieldLabel("timeout_ms")).toBe("timeout ms");
  });
});

describe("reuseNodes", () => {
  it("keeps canvas objects of untouched nodes and replaces changed ones", async () => {
    const { reuseNodes } = await import("./convert");
    const f = menuFlow();
    const before = flowToCanvas(f).nodes;
    const after = reuseNodes(before, flowToCanvas(connect(f, "menu", "1", "sales")).nodes);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    expect(after[2]).toBe(before[2]);
    const moved = reuseNodes(before, flowToCanvas(moveNodes(f, { support: { x: 1, y: 1 } })).nodes);
    expect(moved[2]).not.toBe(before[2]);
    expect(moved[1]).toBe(before[1]);
  });
});
