// Undo/redo as pure functions over an immutable document history.
import type { Flow } from "../api/types";

export const HISTORY_LIMIT = 200;
/** Edits with the same merge key within this window become one undo step (typing in a field). */
export const MERGE_WINDOW_MS = 1200;

export interface History {
  flow: Flow | null;
  past: Flow[];
  future: Flow[];
  /** Increases on every change of `flow` (edits, undo, redo); autosave and live check watch it. */
  revision: number;
  lastMerge: { key: string; at: number } | null;
}

export const emptyHistory: History = { flow: null, past: [], future: [], revision: 0, lastMerge: null };

/** Start a history at a loaded document (nothing to undo). */
export function resetHistory(flow: Flow, revision = 0): History {
  return { flow, past: [], future: [], revision, lastMerge: null };
}

/** Apply an edit. Same `mergeKey` within the window replaces the newest state instead of stacking. */
export function applyEdit(h: History, edit: (f: Flow) => Flow, mergeKey?: string, now = Date.now()): History {
  if (!h.flow) return h;
  const next = edit(h.flow);
  if (next === h.flow) return h;
  const merging =
    mergeKey !== undefined && h.lastMerge?.key === mergeKey && now - h.lastMerge.at < MERGE_WINDOW_MS;
  const past = merging ? h.past : [...h.past, h.flow].slice(-HISTORY_LIMIT);
  return {
    flow: next,
    past,
    future: [],
    revision: h.revision + 1,
    lastMerge: mergeKey === undefined ? null : { key: mergeKey, at: now },
  };
}

export function undo(h: History): History {
  const prev = h.past[h.past.length - 1];
  if (!prev || !h.flow) return h;
  return {
    flow: prev,
    past: h.past.slice(0, -1),
    future: [h.flow, ...h.future],
    revision: h.revision + 1,
    lastMerge: null,
  };
}

export function redo(h: History): History {
  const next = h.future[0];
  if (!next || !h.flow) return h;
  return {
    flow: next,
    past: [...h.past, h.flow],
    future: h.future.slice(1),
    revision: h.revision + 1,
    lastMerge: null,
  };
}
