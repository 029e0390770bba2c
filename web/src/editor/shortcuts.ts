// Keyboard shortcuts of the canvas (Delete/Backspace are React Flow's own).
import { useEffect } from "react";
import { useEditor } from "../store";
import { copySelection, paste, selectAll } from "./actions";
import { saveNow } from "./hooks";

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
}

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        const before = useEditor.getState();
        const already = before.revision === before.savedRevision && before.saveState === "saved";
        void saveNow().then((ok) =>
          useEditor
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
      const s = useEditor.getState();
      const run = (fn: () => unknown) => {
        e.preventDefault();
        fn();
      };
      if (mod && key === "z" && !e.shiftKey) run(s.undo);
      else if (mod && (key === "y" || (key === "z" && e.shiftKey))) run(s.redo);
      else if (mod && key === "c") run(copySelection);
      else if (mod && key === "v") run(paste);
      else if (mod && key === "a") run(selectAll);
      else if (mod && key === "d") run(() => copySelection() && paste());
      else if (key === "escape") run(() => s.select([]));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
