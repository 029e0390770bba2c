// Node types to drag onto the canvas (or press Enter on one to add it): a node added by click or
// keyboard goes right of the selected node (or the centre of the view), in free space.
import { useReactFlow } from "@xyflow/react";
import { NODE_TYPES, type NodeType } from "../api/types";
import { declaredBranches, isOptional } from "../graph/branches";
import { nodeHeight, placeAfter } from "../graph/layout";
import { nodesOf } from "../graph/ops";
import { createNode, NODE_DEFAULTS } from "../nodes/defaults";
import { useEditorStore } from "../store";
import { addNodeOfType } from "./actions";
import { DRAG_TYPE } from "./Canvas";

export function Palette() {
  const store = useEditorStore();
  const rf = useReactFlow();
  const add = (type: NodeType) => {
    const el = document.querySelector(".fg-canvas");
    const box = el?.getBoundingClientRect();
    const p = box ? { x: box.left + box.width / 2, y: box.top + box.height / 3 } : { x: 400, y: 300 };
    const at = rf.screenToFlowPosition(p);
    const s = store.getState();
    if (!s.flow) return;
    const selected = [...s.selected];
    const after = selected.length === 1 ? (selected[0] ?? null) : null;
    const height = nodeHeight(declaredBranches(createNode(type, "new")).length);
    // The selected node's first free branch is wired to the new node, which goes beside it.
    const node = after ? nodesOf(s.flow).find((n) => n.id === after) : undefined;
    const branches = node ? declaredBranches(node) : [];
    // Optional branches (a transfer's no_answer) are left for the admin to choose.
    const free = node ? branches.findIndex((b) => !isOptional(node, b) && !node.branches?.[b]) : -1;
    const from = node && free >= 0 ? { source: node.id, branch: branches[free] as string } : undefined;
    const spot = placeAfter(s.flow, after, { x: at.x - 110, y: at.y }, height, free >= 0 ? free * 44 : 0);
    const id = addNodeOfType(store, type, spot, from);
    // The view moves only when the new node would be out of sight (no jump otherwise).
    const corner = rf.flowToScreenPosition(spot);
    const far = rf.flowToScreenPosition({ x: spot.x + 220, y: spot.y + height });
    const inside =
      box && corner.x >= box.left && corner.y >= box.top && far.x <= box.right && far.y <= box.bottom;
    if (id && !inside) store.getState().focusNode(id);
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
