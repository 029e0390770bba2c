// The editor's state: one zustand store built from small slices. Every document change goes
// through `edit(fn)` with a pure function from graph/ops, so history, autosave and live check
// all see the same immutable values. Components reach the store through <EditorProvider> (a
// React context), so a test can render them with a store of its own.
import { createContext, createElement, type ReactNode, useContext, useState } from "react";
import { create, type StoreApi, type UseBoundStore, useStore } from "zustand";
import type { Diagnostic, Flow, S } from "../api/types";
import { type DiagnosticIndex, foldDiagnostics, indexDiagnostics } from "../graph/diagnostics";
import { applyEdit, emptyHistory, type History, redo, resetHistory, undo } from "./history";

export interface StepInfo {
  id: string;
  depth: number;
  nodes: string[];
}

export type SaveState = "saved" | "dirty" | "saving" | "conflict" | "invalid" | "error";

export interface DocSlice extends History {
  load(flow: Flow): void;
  edit(fn: (f: Flow) => Flow, mergeKey?: string): void;
  undo(): void;
  redo(): void;
}

export interface SessionSlice {
  flowId: string | null;
  etag: string | null;
  savedRevision: number;
  saveState: SaveState;
  saveMessage: string;
  setSaved(etag: string | null, revision: number): void;
  setSaveState(state: SaveState, message?: string): void;
}

export interface CheckSlice {
  diagnostics: Diagnostic[];
  index: DiagnosticIndex;
  checkedRevision: number;
  steps: StepInfo[];
  nestingLimit: number;
  /** The version hash of the document last checked ("" before the first check). */
  draftVersion: string;
  setDiagnostics(list: Diagnostic[], revision: number): void;
  setSteps(steps: StepInfo[], nestingLimit?: number, draftVersion?: string): void;
}

/** The version callers get: number and hash (null while the flow was never published). */
export interface LiveVersion {
  number: number;
  hash: string;
}

export interface LiveSlice {
  live: LiveVersion | null;
  /** Bumped by every publish or rollback, so panels showing versions reload. */
  liveSeq: number;
  setLive(live: LiveVersion | null): void;
}

export interface UiSlice {
  selected: ReadonlySet<string>;
  focus: { id: string; seq: number } | null;
  colourBySteps: boolean;
  tab: "properties" | "problems" | "simulate" | "tests" | "versions" | "deploy" | "calls";
  /** A short confirmation of a command (Ctrl+S, a download), shown in the toolbar. */
  notice: { text: string; seq: number } | null;
  /** The call whose journey the Calls tab shows (null: none). */
  shownCall: string | null;
  showCall(call: string | null): void;
  notify(text: string): void;
  select(ids: Iterable<string>): void;
  focusNode(id: string): void;
  setColourBySteps(on: boolean): void;
  setTab(tab: UiSlice["tab"]): void;
}

export interface SimSlice {
  /** Nodes and edges (`source|branch`) lit by the simulator, in the order the call visited them. */
  litNodes: string[];
  litEdges: string[];
  setLit(nodes: string[], edges: string[]): void;
}

/** The flow tests' last run on the saved draft: `blocked` when the draft has errors (tests
 * run only on a flow that compiles), `error` when the run itself failed (bad test data). */
export interface TestsSlice {
  testRun: S["FlowTestRunOut"] | null;
  testState: "idle" | "running" | "done" | "blocked" | "error";
  testMessage: string;
  /** The saved revision the shown results belong to. */
  testedRevision: number;
  showUntested: boolean;
  setTestRun(
    state: TestsSlice["testState"],
    run: S["FlowTestRunOut"] | null,
    message?: string,
    revision?: number,
  ): void;
  setShowUntested(on: boolean): void;
}

export type EditorState = DocSlice & SessionSlice & CheckSlice & UiSlice & SimSlice & LiveSlice & TestsSlice;

type Set = (partial: Partial<EditorState> | ((s: EditorState) => Partial<EditorState>)) => void;

const docSlice = (set: Set): DocSlice => ({
  ...emptyHistory,
  load: (flow) =>
    set((s) => ({
      ...resetHistory(flow, s.revision + 1),
      savedRevision: s.revision + 1,
      saveState: "saved",
      saveMessage: "",
      selected: new Set(),
      litNodes: [],
      litEdges: [],
    })),
  edit: (fn, mergeKey) => set((s) => applyEdit(s, fn, mergeKey)),
  undo: () => set((s) => undo(s)),
  redo: () => set((s) => redo(s)),
});

const sessionSlice = (set: Set): SessionSlice => ({
  flowId: null,
  etag: null,
  savedRevision: 0,
  saveState: "saved",
  saveMessage: "",
  setSaved: (etag, revision) =>
    set((s) => ({
      etag,
      savedRevision: revision,
      saveState: s.revision === revision ? "saved" : "dirty",
      saveMessage: "",
    })),
  setSaveState: (saveState, saveMessage = "") => set({ saveState, saveMessage }),
});

const checkSlice = (set: Set): CheckSlice => ({
  diagnostics: [],
  index: indexDiagnostics([]),
  checkedRevision: -1,
  steps: [],
  nestingLimit: 3,
  draftVersion: "",
  setDiagnostics: (list, revision) => {
    const shown = foldDiagnostics(list);
    set({ diagnostics: shown, index: indexDiagnostics(shown), checkedRevision: revision });
  },
  setSteps: (steps, nestingLimit, draftVersion) =>
    set((s) => ({
      steps,
      nestingLimit: nestingLimit ?? s.nestingLimit,
      draftVersion: draftVersion ?? s.draftVersion,
    })),
});

const liveSlice = (set: Set): LiveSlice => ({
  live: null,
  liveSeq: 0,
  setLive: (live) => set((s) => ({ live, liveSeq: s.liveSeq + 1 })),
});

const uiSlice = (set: Set): UiSlice => ({
  selected: new Set(),
  focus: null,
  colourBySteps: false,
  tab: "properties",
  notice: null,
  shownCall: null,
  showCall: (shownCall) => set({ shownCall }),
  notify: (text) => set((s) => ({ notice: { text, seq: (s.notice?.seq ?? 0) + 1 } })),
  select: (ids) => set({ selected: new Set(ids) }),
  focusNode: (id) => set((s) => ({ focus: { id, seq: (s.focus?.seq ?? 0) + 1 }, selected: new Set([id]) })),
  setColourBySteps: (colourBySteps) => set({ colourBySteps }),
  setTab: (tab) => set({ tab }),
});

const simSlice = (set: Set): SimSlice => ({
  litNodes: [],
  litEdges: [],
  setLit: (litNodes, litEdges) => set({ litNodes, litEdges }),
});

const testsSlice = (set: Set): TestsSlice => ({
  testRun: null,
  testState: "idle",
  testMessage: "",
  testedRevision: -1,
  showUntested: false,
  setTestRun: (testState, testRun, testMessage = "", revision) =>
    set((s) => ({ testState, testRun, testMessage, testedRevision: revision ?? s.testedRevision })),
  setShowUntested: (showUntested) => set({ showUntested }),
});

/** Create an editor store (tests create their own, optionally starting from `initial`). */
export function createEditorStore(initial: Partial<EditorState> = {}) {
  return create<EditorState>()((set) => ({
    ...docSlice(set),
    ...sessionSlice(set),
    ...checkSlice(set),
    ...uiSlice(set),
    ...simSlice(set),
    ...liveSlice(set),
    ...testsSlice(set),
    ...initial,
  }));
}

export type EditorStore = UseBoundStore<StoreApi<EditorState>>;

const EditorContext = createContext<EditorStore | null>(null);

/** Provide an editor store to the components below (`store`: a test's own; default: a new one).
 * Several providers may be mounted at once: each subtree reads and writes only its own store. */
export function EditorProvider({ store, children }: { store?: EditorStore; children?: ReactNode }) {
  const [own] = useState(() => store ?? createEditorStore());
  return createElement(EditorContext.Provider, { value: own }, children);
}

/** The provided store itself, for event handlers and effects that read or write it, and to
 * hand to the editor's commands outside components (actions.ts, saveNow, ...), which all take
 * the store they act on. */
export function useEditorStore(): EditorStore {
  const store = useContext(EditorContext);
  if (!store) throw new Error("useEditor outside <EditorProvider>");
  return store;
}

const whole = (s: EditorState): EditorState => s;

/** Select from the provided store (re-rendering when the selection changes; no selector: all). */
export function useEditor(): EditorState;
export function useEditor<T>(selector: (s: EditorState) => T): T;
export function useEditor<T>(selector?: (s: EditorState) => T): T | EditorState {
  const pick: (s: EditorState) => T | EditorState = selector ?? whole;
  return useStore(useEditorStore(), pick);
}
