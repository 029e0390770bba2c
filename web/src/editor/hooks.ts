// Side effects of the open flow: autosave with If-Match, live check, step colouring, shortcuts.
import { useEffect, useRef } from "react";
import { ApiError } from "../api/client";
import { checkDocument, listVersions, runFlowTests, saveFlow } from "../api/flows";
import type { Diagnostic, Flow } from "../api/types";
import { type Problem, problemsToDiagnostics } from "../graph/diagnostics";
import { nodesOf } from "../graph/ops";
import { type EditorStore, useEditor, useEditorStore } from "../store";

export const CHECK_DELAY_MS = 350;
export const SAVE_DELAY_MS = 800;
export const SAVE_RETRY_MS = 5000;

function problemsOf(err: ApiError, flow: Flow): Diagnostic[] {
  const list: Problem[] = err.problems.length ? err.problems : [{ path: "", message: err.message }];
  return problemsToDiagnostics(
    list,
    nodesOf(flow).map((n) => n.id),
  );
}

// Per store, the revision the server last refused as malformed: saving it again would be refused
// again, so autosave waits for the next edit instead of retrying in a loop.
const rejected = new WeakMap<EditorStore, number>();

/** Save `store`'s draft now (also used by Ctrl+S and before publishing). Returns false on failure. */
export async function saveNow(store: EditorStore): Promise<boolean> {
  const s = store.getState();
  if (!s.flow || !s.flowId || s.saveState === "conflict") return s.saveState === "saved";
  if (s.revision === s.savedRevision) return true;
  const revision = s.revision;
  s.setSaveState("saving");
  try {
    const out = await saveFlow(s.flowId, s.flow, s.etag);
    store.getState().setSaved(out.etag, revision);
    return store.getState().revision === revision;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      s.setSaveState("conflict", err.message);
    } else if (err instanceof ApiError && err.status === 422) {
      rejected.set(store, revision);
      const problems = problemsOf(err, s.flow);
      const first = problems[0];
      s.setSaveState(
        "invalid",
        first ? `${first.nodes[0] ? `${first.nodes[0]}: ` : ""}${first.message}` : "",
      );
      s.setDiagnostics(problems, revision);
    } else {
      s.setSaveState("error", err instanceof Error ? err.message : String(err));
    }
    return false;
  }
}

/** Whether `store` holds edits the server does not have yet. */
export function unsaved(store: EditorStore): boolean {
  const s = store.getState();
  return Boolean(s.flow) && s.revision !== s.savedRevision;
}

/**
 * Leave the editor for `hash` once the draft is saved. If it cannot be saved (server down, a
 * conflict, a draft the server refuses), ask first: leaving would lose those edits.
 */
export async function leaveEditor(store: EditorStore, hash: string): Promise<boolean> {
  const ok = await saveNow(store);
  if (!ok && unsaved(store)) {
    const why = store.getState().saveMessage || store.getState().saveState;
    const leave = window.confirm(`Your latest changes are not saved (${why}). Leave anyway and lose them?`);
    if (!leave) return false;
  }
  window.location.hash = hash;
  return true;
}

/** Debounced autosave of every change (never while a conflict is unresolved). */
export function useAutosave(): void {
  const store = useEditorStore();
  const revision = useEditor((s) => s.revision);
  const saved = useEditor((s) => s.savedRevision);
  const state = useEditor((s) => s.saveState);
  // Reloading or closing the tab with edits not yet saved: the browser asks first.
  useEffect(() => {
    if (revision === saved) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [revision, saved]);
  useEffect(() => {
    if (revision === saved || state === "conflict" || state === "saving") return;
    if (state === "invalid" && revision === rejected.get(store)) return;
    if (state === "saved") store.getState().setSaveState("dirty");
    // A failed request (server down) is retried, but not at typing speed.
    const t = window.setTimeout(() => void saveNow(store), state === "error" ? SAVE_RETRY_MS : SAVE_DELAY_MS);
    return () => window.clearTimeout(t);
  }, [store, revision, saved, state]);
}

/** Debounced live check of the document on screen; stale answers are dropped. */
export function useLiveCheck(): void {
  const store = useEditorStore();
  const revision = useEditor((s) => s.revision);
  const latest = useRef(0);
  useEffect(() => {
    const t = window.setTimeout(async () => {
      const s = store.getState();
      if (!s.flow || !s.flowId) return;
      const ticket = ++latest.current;
      try {
        const out = await checkDocument(s.flowId, s.flow);
        if (ticket !== latest.current) return;
        const now = store.getState();
        now.setDiagnostics(out.diagnostics, revision);
        // The partition comes with every check, errors or not: step lanes never go stale.
        now.setSteps(out.steps ?? [], out.nesting_limit ?? undefined, out.version ?? undefined);
      } catch (err) {
        if (ticket !== latest.current) return;
        if (err instanceof ApiError && err.status === 422)
          s.setDiagnostics(problemsOf(err, s.flow), revision);
      }
    }, CHECK_DELAY_MS);
    return () => window.clearTimeout(t);
  }, [store, revision]);
}

/** The live version (number and hash) into `store`, fetched on open and after each publish or
 * rollback. */
export async function refreshLive(store: EditorStore, flowId: string): Promise<void> {
  const versions = await listVersions(flowId);
  const live = versions.find((v) => v.live);
  store.getState().setLive(live ? { number: live.number, hash: live.hash } : null);
}

export function useLive(): void {
  const store = useEditorStore();
  const flowId = useEditor((s) => s.flowId);
  useEffect(() => {
    if (flowId) refreshLive(store, flowId).catch(() => undefined);
  }, [store, flowId]);
}

// Per store, the newest run: only its answer is shown (a slow run must not overwrite a newer one).
const testTickets = new WeakMap<EditorStore, number>();

/** Run the flow's tests on `store`'s saved draft: once now, or again after each save (debounced
 * like the live check; the endpoint reads the stored draft, so a run follows the save it tests). */
export async function runTestsNow(store: EditorStore): Promise<void> {
  const ticket = (testTickets.get(store) ?? 0) + 1;
  testTickets.set(store, ticket);
  const newest = () => testTickets.get(store) === ticket;
  const s = store.getState();
  if (!s.flowId) return;
  const revision = s.savedRevision;
  s.setTestRun("running", s.testRun);
  try {
    const out = await runFlowTests(s.flowId);
    if (newest()) store.getState().setTestRun("done", out, "", revision);
  } catch (err) {
    if (!newest()) return;
    const blocked = err instanceof ApiError && err.status === 409;
    const message = err instanceof Error ? err.message : String(err);
    store.getState().setTestRun(blocked ? "blocked" : "error", null, message, revision);
  }
}

export function useFlowTests(): void {
  const store = useEditorStore();
  const flowId = useEditor((s) => s.flowId);
  const saved = useEditor((s) => s.savedRevision);
  // biome-ignore lint/correctness/useExhaustiveDependencies: each save of the draft runs them again
  useEffect(() => {
    if (!flowId) return;
    const t = window.setTimeout(() => void runTestsNow(store), CHECK_DELAY_MS);
    return () => window.clearTimeout(t);
  }, [store, flowId, saved]);
}
