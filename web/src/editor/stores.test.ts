// Two editors side by side: each <EditorProvider> holds its own store, components read only the
// store of their provider, and the editor's commands act only on the store they are handed.
import { createElement, type ReactNode } from "react";
import { renderToString } from "react-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import type { Flow } from "../api/types";
import { nodesOf } from "../graph/ops";
import { createEditorStore, EditorProvider, type EditorStore, useEditor, useEditorStore } from "../store";
import { addNodeOfType, addNoteHere, copySelection, paste, selectAll } from "./actions";
import { openCall } from "./CallsPanel";

const flowOf = (id: string): Flow => ({
  id,
  entry: "bye",
  nodes: [{ id: "bye", type: "hangup" }],
  recordings: [{ id: "7" }],
});

/** Shows what its provider's store holds (a server render reads each store's initial state). */
function Probe() {
  const flowId = useEditor((s) => s.flowId);
  const tab = useEditor((s) => s.tab);
  return createElement("p", null, `${flowId}: ${tab}`);
}

/** Hands out the store its provider gives (what a component passes to the commands). */
function Grab({ into }: { into: EditorStore[] }) {
  into.push(useEditorStore());
  return null;
}

/** Two providers mounted in one page, each with its store; returns the page and the stores the
 * components inside each provider were given. */
function twoEditors(a?: EditorStore, b?: EditorStore): { html: string; given: EditorStore[] } {
  const given: EditorStore[] = [];
  const editor = (store: EditorStore | undefined): ReactNode =>
    createElement(EditorProvider, { store }, createElement(Probe), createElement(Grab, { into: given }));
  const html = renderToString(createElement("main", null, editor(a), editor(b)));
  return { html, given };
}

const clipboard = new Map<string, string>();
globalThis.localStorage = {
  getItem: (k: string) => clipboard.get(k) ?? null,
  setItem: (k: string, v: string) => void clipboard.set(k, v),
  removeItem: (k: string) => void clipboard.delete(k),
} as Storage;

describe("two editor stores side by side", () => {
  let a: EditorStore;
  let b: EditorStore;
  beforeEach(() => {
    a = createEditorStore({ flowId: "left" });
    b = createEditorStore({ flowId: "right", tab: "tests" });
    a.getState().load(flowOf("left"));
    b.getState().load(flowOf("right"));
    clipboard.clear();
  });

  it("gives the components inside each provider that provider's store", () => {
    const { html, given } = twoEditors(a, b);
    expect(given).toEqual([a, b]);
    expect(html).toBe("<main><p>left: properties</p><p>right: tests</p></main>");
    // Providers without a store of their own make one each: never a shared one.
    const defaults = twoEditors().given;
    expect(defaults[0]).not.toBe(defaults[1]);
  });

  it("runs a command on the store it is given and leaves the other untouched", () => {
    const [left, right] = twoEditors(a, b).given as [EditorStore, EditorStore];
    const before = right.getState();
    const id = addNodeOfType(left, "play", { x: 10, y: 20 });
    expect(id).toBe("play");
    // The new node starts on the left flow's first recording, and is selected there only.
    const added = nodesOf(a.getState().flow as Flow).find((n) => n.id === id);
    expect(added).toMatchObject({ type: "play", recording: { type: "system", data: "7" } });
    expect(b.getState()).toBe(before);
    expect([...a.getState().selected]).toEqual(["play"]);
    expect(a.getState().revision).toBe(b.getState().revision + 1);
    a.getState().undo();
    expect(nodesOf(a.getState().flow as Flow).map((n) => n.id)).toEqual(["bye"]);
    expect(b.getState()).toBe(before);
  });

  it("keeps selection, notes, the clipboard's paste and the Calls tab per store", () => {
    const [left, right] = twoEditors(a, b).given as [EditorStore, EditorStore];
    selectAll(right);
    expect([[...a.getState().selected], [...b.getState().selected]]).toEqual([[], ["bye"]]);
    expect(copySelection(right)).toBe(1);
    expect(paste(left)).toBe(1); // the clipboard is the browser's, shared on purpose (across flows)
    expect(nodesOf(a.getState().flow as Flow)).toHaveLength(2);
    expect(nodesOf(b.getState().flow as Flow)).toHaveLength(1);
    addNoteHere(right, { x: 0, y: 0 });
    expect(b.getState().flow?.layout?.notes).toHaveLength(1);
    expect(a.getState().flow?.layout?.notes ?? []).toHaveLength(0);
    openCall(left, "call-1");
    expect([a.getState().tab, a.getState().shownCall]).toEqual(["calls", "call-1"]);
    expect([b.getState().tab, b.getState().shownCall]).toEqual(["tests", null]);
  });
});
