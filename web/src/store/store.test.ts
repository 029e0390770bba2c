import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Flow } from "../api/types";
import { addNode, connect } from "../graph/ops";
import { createNode } from "../nodes/defaults";
import { applyEdit, HISTORY_LIMIT, redo, resetHistory, undo } from "./history";
import { createEditorStore, EditorProvider, type EditorStore, useEditor } from "./index";

const base: Flow = { id: "t", entry: "", nodes: [] };

describe("history", () => {
  it("undoes and redoes edits in order", () => {
    let h = resetHistory(base);
    h = applyEdit(h, (f) => addNode(f, createNode("play", "a"), { x: 0, y: 0 }));
    h = applyEdit(h, (f) => addNode(f, createNode("hangup", "b"), { x: 0, y: 0 }));
    h = applyEdit(h, (f) => connect(f, "a", "next", "b"));
    expect(h.past.length).toBe(3);
    h = undo(h);
    expect(h.flow?.nodes?.[0]?.branches).toEqual({});
    h = undo(undo(h));
    expect(h.flow?.nodes).toEqual([]);
    expect(undo(h)).toBe(h);
    h = redo(redo(redo(h)));
    expect(h.flow?.nodes?.[0]?.branches).toEqual({ next: "b" });
    expect(redo(h)).toBe(h);
  });

  it("merges edits with the same key inside the window into one undo step", () => {
    let h = resetHistory(base);
    h = applyEdit(h, (f) => ({ ...f, name: "a" }), "name", 1000);
    h = applyEdit(h, (f) => ({ ...f, name: "ab" }), "name", 1500);
    h = applyEdit(h, (f) => ({ ...f, name: "abc" }), "name", 5000);
    expect(h.past.map((f) => f.name)).toEqual([undefined, "ab"]);
    expect(h.revision).toBe(3);
  });

  it("ignores no-op edits and bounds the history", () => {
    let h = resetHistory(base);
    expect(applyEdit(h, (f) => f)).toBe(h);
    for (let i = 0; i < HISTORY_LIMIT + 10; i += 1) h = applyEdit(h, (f) => ({ ...f, name: String(i) }));
    expect(h.past.length).toBe(HISTORY_LIMIT);
  });
});

describe("editor store", () => {
  it("tracks revisions for autosave and resets on load", () => {
    const store = createEditorStore();
    store.getState().load(base);
    const loaded = store.getState().revision;
    expect(store.getState().saveState).toBe("saved");
    store.getState().edit((f) => addNode(f, createNode("menu", "m"), { x: 0, y: 0 }));
    expect(store.getState().revision).toBe(loaded + 1);
    store.getState().setSaved('"r2"', loaded);
    expect(store.getState().saveState).toBe("dirty");
    store.getState().setSaved('"r3"', loaded + 1);
    expect(store.getState().saveState).toBe("saved");
    store.getState().undo();
    expect(store.getState().flow?.nodes).toEqual([]);
  });

  it("indexes diagnostics and focuses a node", () => {
    const store = createEditorStore();
    store.getState().setDiagnostics(
      [
        {
          code: "x",
          severity: "error",
          message: "m",
          nodes: ["a"],
          edges: [],
          field: "",
          evidence: {},
          hint: "",
        },
      ],
      4,
    );
    expect(store.getState().index.byNode.get("a")?.length).toBe(1);
    store.getState().focusNode("a");
    store.getState().focusNode("a");
    expect(store.getState().focus).toEqual({ id: "a", seq: 2 });
    expect([...store.getState().selected]).toEqual(["a"]);
  });
});

/** Shows what it reads from the provided store. */
function Probe() {
  const flowId = useEditor((s) => s.flowId);
  const tab = useEditor().tab;
  return createElement("p", null, `${flowId ?? "none"} ${tab}`);
}

describe("the store provider", () => {
  it("gives components the store a test builds, and each store its own state", () => {
    const mine = createEditorStore({ flowId: "mine", tab: "tests" });
    const other = createEditorStore({ flowId: "other" });
    const render = (store: EditorStore) =>
      renderToString(createElement(EditorProvider, { store }, createElement(Probe)));
    expect(render(mine)).toBe("<p>mine tests</p>");
    expect(render(other)).toBe("<p>other properties</p>");
    other.getState().setTab("simulate");
    expect([other.getState().tab, mine.getState().tab]).toEqual(["simulate", "tests"]);
  });

  it("refuses to read the store outside a provider", () => {
    expect(() => renderToString(createElement(Probe))).toThrow("useEditor outside <EditorProvider>");
  });
});
