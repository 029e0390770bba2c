// Node types to drag onto the canvas (or press Enter on one to add it at the centre of the view).
import { useReactFlow } from "@xyflow/react";
import { NODE_TYPES } from "../api/types";
import { NODE_DEFAULTS } from "../nodes/defaults";
import { useEditor } from "../store";
import { addNodeOfType } from "./actions";
import { DRAG_TYPE } from "./Canvas";

export function Palette() {
  const rf = useReactFlow();
  const centre = () => {
    const box = document.querySelector(".fg-canvas")?.getBoundingClientRect();
    const p = box ? { x: box.left + box.width / 2, y: box.top + box.height / 2 } : { x: 400, y: 300 };
    const at = rf.screenToFlowPosition(p);
    // Stagger nodes added in a row so they do not land exactly on top of each other.
    const n = (useEditor.getState().flow?.nodes?.length ?? 0) % 6;
    return { x: at.x - 110 + n * 24, y: at.y - 40 + n * 24 };
  };
  return (
    <nav className="fg-palette" aria-label="Node types">
      <h2>Add</h2>
      {NODE_TYPES.map((t) => {
        const meta = NODE_DEFAULTS[t].meta;
        return (
          <button
            key={t}
            type="button"
            draggable
            data-testid={`palette-${t}`}
            title={`${meta.help} — drag onto the canvas, or press Enter`}
            style={{ borderLeftColor: meta.colour }}
            onDragStart={(e) => {
              e.dataTransfer.setData(DRAG_TYPE, t);
              e.dataTransfer.effectAllowed = "move";
            }}
            onClick={() => addNodeOfType(t, centre())}
          >
            {meta.label}
          </button>
        );
      })}
    </nav>
  );
}
