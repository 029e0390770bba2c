// The right-hand properties of the selected node (or note): common fields, the type's own panel,
// and a "Branches" list that wires every declared branch with the keyboard.
import { useRef, useState } from "react";
import type { Flow, FlowNode } from "../api/types";
import { branchLabel, declaredBranches } from "../graph/branches";
import { isNoteId } from "../graph/convert";
import {
  connect,
  disconnect,
  isValidId,
  nodesOf,
  renameNode,
  setEntry,
  updateNode,
  updateNote,
} from "../graph/ops";
import { NODE_DEFAULTS } from "../nodes/defaults";
import { panelFor } from "../nodes/registry";
import { Field, FieldErrors, TextInput } from "../nodes/shared/fields";
import { useEditor, useEditorStore } from "../store";
import { FlowPanel } from "./FlowPanel";

let renameSession = 0;

/**
 * The node id, applied as it is typed (a wire dragged right after typing goes to the new id):
 * each valid, free id renames the node at once, one undo step per editing session; an invalid
 * or taken id is shown and waits.
 */
function IdField({ node }: { node: FlowNode }) {
  const store = useEditorStore();
  const [draft, setDraft] = useState(node.id);
  const [error, setError] = useState("");
  const applied = useRef(node.id);
  const session = useRef(0);
  // Another node selected (or an undo): show its id.
  if (node.id !== applied.current) {
    applied.current = node.id;
    setDraft(node.id);
    setError("");
  }
  const change = (value: string) => {
    setDraft(value);
    const flow = store.getState().flow as Flow;
    if (value === node.id) return setError("");
    if (!isValidId(value)) return setError("Letters, digits, _ and -; start with a letter or _");
    if (nodesOf(flow).some((n) => n.id === value)) return setError(`Another node is called '${value}'`);
    setError("");
    if (!session.current) session.current = ++renameSession;
    applied.current = value;
    store.getState().edit((f) => renameNode(f, node.id, value), `rename:${session.current}`);
    store.getState().select([value]);
  };
  const done = () => {
    session.current = 0;
    if (error) {
      setDraft(node.id);
      setError("");
    }
  };
  return (
    <div className="fg-field">
      <label htmlFor="node-id">Id (used in URLs and variables)</label>
      <input
        id="node-id"
        data-testid="node-id-input"
        value={draft}
        onChange={(e) => change(e.target.value)}
        onBlur={done}
        onKeyDown={(e) => e.key === "Enter" && done()}
      />
      {error && (
        <p className="fg-field-errors" role="alert">
          {error} (the id stays '{node.id}')
        </p>
      )}
    </div>
  );
}

function BranchWiring({ node, flow }: { node: FlowNode; flow: Flow }) {
  const others = nodesOf(flow).filter((n) => n.id !== node.id);
  const branches = declaredBranches(node);
  const index = useEditor((s) => s.index);
  const edit = useEditor((s) => s.edit);
  if (!branches.length) return null;
  return (
    <fieldset className="fg-wiring">
      <legend>Branches</legend>
      {branches.map((b) => {
        const id = `wire-${b}`;
        return (
          <div className="fg-field" key={b}>
            <label htmlFor={id}>{branchLabel(b)} →</label>
            <select
              id={id}
              data-testid={`wire-${node.id}-${b}`}
              value={node.branches?.[b] ?? ""}
              onChange={(e) => {
                const target = e.target.value;
                edit((f) => (target ? connect(f, node.id, b, target) : disconnect(f, node.id, b)));
              }}
            >
              <option value="">(not wired)</option>
              {others.map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name ? `${n.name} (${n.id})` : n.id}
                </option>
              ))}
            </select>
            <FieldErrors errors={index.byEdge.get(`${node.id}|${b}`) ?? []} />
          </div>
        );
      })}
    </fieldset>
  );
}

function NodeProperties({ node, flow }: { node: FlowNode; flow: Flow }) {
  const Panel = panelFor(node);
  const edit = useEditor((s) => s.edit);
  const meta = NODE_DEFAULTS[node.type].meta;
  const update = (patch: Partial<FlowNode>, key?: string) =>
    edit((f) => updateNode(f, node.id, patch), key ? `${node.id}:${key}` : undefined);
  const nodeErrors = (useEditor((s) => s.index.byNode.get(node.id)) ?? []).filter((d) => !d.field);
  return (
    <section className="fg-props" data-testid="properties" aria-label={`Properties of ${node.id}`}>
      <h2>
        <span className="fg-node-type" style={{ background: meta.colour }}>
          {meta.label}
        </span>{" "}
        {node.name || node.id}
      </h2>
      <p className="fg-help">{meta.help}</p>
      <FieldErrors errors={nodeErrors} />
      <IdField node={node} />
      <Field label="Name" node={node.id} field="name">
        {(id) => (
          <TextInput
            id={id}
            testid="node-name-input"
            value={node.name ?? ""}
            onChange={(name) => update({ name }, "name")}
          />
        )}
      </Field>
      <Panel node={node} flow={flow} update={update} editFlow={edit} />
      <BranchWiring node={node} flow={flow} />
      <Field label="Comment" node={node.id} field="note">
        {(id) => (
          <textarea
            id={id}
            rows={2}
            value={node.note ?? ""}
            onChange={(e) => update({ note: e.target.value }, "note")}
          />
        )}
      </Field>
      {flow.entry !== node.id && (
        <button type="button" onClick={() => edit((f) => setEntry(f, node.id))}>
          Make this the entry node
        </button>
      )}
    </section>
  );
}

export function PropertiesPanel() {
  const flow = useEditor((s) => s.flow);
  const selected = useEditor((s) => s.selected);
  const edit = useEditor((s) => s.edit);
  if (!flow) return null;
  const ids = [...selected];
  if (ids.length === 1 && ids[0] && isNoteId(ids[0])) {
    const noteId = ids[0].slice(5);
    const note = flow.layout?.notes?.find((n) => n.id === noteId);
    if (note)
      return (
        <div className="fg-props">
          <h2>Sticky note{note.node ? ` on ${note.node}` : ""}</h2>
          <label htmlFor="note-text">Text</label>
          <textarea
            id="note-text"
            data-testid="note-text"
            rows={5}
            value={note.text}
            onChange={(e) => edit((f) => updateNote(f, note.id, e.target.value), `note:${note.id}`)}
          />
        </div>
      );
  }
  const node = ids.length === 1 ? nodesOf(flow).find((n) => n.id === ids[0]) : undefined;
  if (node) return <NodeProperties node={node} flow={flow} />;
  if (ids.length > 1)
    return (
      <p className="fg-props fg-help">
        {ids.length} items selected. Delete, copy (Ctrl+C) or drag them together.
      </p>
    );
  return <FlowPanel flow={flow} />;
}
