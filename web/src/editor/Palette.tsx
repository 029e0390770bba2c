// Node types to drag onto the canvas (or press Enter on one to add it): a node added by click or
// keyboard goes right of the selected node (or the centre of the view), in free space.
import { useReactFlow } from "@xyflow/react";
import { NODE_TYPES, type NodeType } from "../api/types";
import { declaredBranches } from "../graph/branches";
import { nodeHeight, placeAfter } from "../graph/layout";
import { createNode, NODE_DEFAULTS } from "../nodes/defaults";
import { useEditor } from "../store";
import { addNodeOfType } from "./actions";
import { DRAG_TYPE } from "./Canvas";

export function Palette() {
  const rf = useReactFlow();
  const add = (type: NodeType) => {
    const box = document.querySelector(".fg-canvas")?.getBoundingClientRect();
    const p = box ? { x: box.left + box.width / 2, y: box.top + box.height / 3 } : { x: 400, y: 300 };
    const at = rf.screenToFlowPosition(p);
    const s = useEditor.getState();
    if (!s.flow) return;
    const selected = [...s.selected];
    const after = selected.length === 1 ? (selected[0] ?? null) : null;
    const height = nodeHeight(declaredBranches(createNode(type, "new")).length);
    const id = addNodeOfType(type, placeAfter(s.flow, after, { x: at.x - 110, y: at.y }, height));
    // Bring the new node into view (it may be placed beyond the visible part of a big flow).
    if (id) useEditor.getState().focusNode(id);
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
            onClick={() => add(t)}
          >
            {meta.label}
          </button>
        );
      })}
    </nav>
  );
}
