// Keyboard shortcuts of the canvas (Delete/Backspace are React Flow's own).
import { useEffect } from "react";
import { useEditorStore } from "../store";
import { copySelection, paste, selectAll } from "./actions";
import { saveNow } from "./hooks";

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

/** The canvas's keyboard shortcuts, acting on the provided store. */
export function useShortcuts(): void {
  const store = useEditorStore();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        const before = store.getState();
        const already = before.revision === before.savedRevision && before.saveState === "saved";
        void saveNow(store).then((ok) =>
          store
            .getState()
            .notify(
              ok
                ? already
                  ? "Nothing to save: all changes are saved"
                  : "Saved"
                : "Not saved: see the save status",
            ),
        );
        return;
      }
      if (mod && key === "f") {
        e.preventDefault();
        document.getElementById("node-search")?.focus();
        return;
      }
      if (typing(e.target)) return;
      const s = store.getState();
      const run = (fn: () => unknown) => {
        e.preventDefault();
        fn();
      };
      if (mod && key === "z" && !e.shiftKey) run(s.undo);
      else if (mod && (key === "y" || (key === "z" && e.shiftKey))) run(s.redo);
      else if (mod && key === "c") run(() => copySelection(store));
      else if (mod && key === "v") run(() => paste(store));
      else if (mod && key === "a") run(() => selectAll(store));
      else if (mod && key === "d") run(() => copySelection(store) && paste(store));
      else if (key === "escape") run(() => s.select([]));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store]);
}
