// A sticky note on the canvas (flow.layout.notes): layout only, never part of the call logic.
import type { NodeProps } from "@xyflow/react";
import type { NoteData } from "../../graph/convert";

export function NoteCanvasNode({ data, selected }: NodeProps) {
  const d = data as NoteData;
  return (
    <div className={`fg-note${selected ? " is-selected" : ""}`} data-testid={`note-${d.noteId}`}>
      {d.attachedTo && <div className="fg-note-on">on {d.attachedTo}</div>}
      <div className="fg-note-text">{d.text || "(empty note)"}</div>
    </div>
  );
}
