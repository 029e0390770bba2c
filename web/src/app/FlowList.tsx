// The flows page: every flow with its status (errors, published version, unpublished draft
// changes); create, rename, duplicate, delete (with undo), import and export JSON.
import { useCallback, useEffect, useState } from "react";
import { ApiError, enc } from "../api/client";
import {
  checkDraft,
  createFlow,
  deleteFlow,
  exportFlow,
  type FlowSummary,
  getFlow,
  getPublished,
  importFlows,
  listFlows,
  restoreFlow,
  saveFlow,
} from "../api/flows";
import type { Flow } from "../api/types";
import { download } from "../editor/download";
import { logicKey } from "../graph/canonical";
import { idFromName, isValidId } from "../graph/ops";

function FlowStatus({ flow }: { flow: FlowSummary }) {
  const [text, setText] = useState("…");
  const [level, setLevel] = useState("");
  useEffect(() => {
    let live = true;
    (async () => {
      const check = await checkDraft(flow.id);
      let changed = flow.published_version == null;
      if (flow.published_version != null) {
        const [draft, live] = await Promise.all([getFlow(flow.id), getPublished(flow.id)]);
        changed = logicKey(draft.flow) !== logicKey(live.flow);
      }
      const parts = [
        flow.published_version != null ? `published v${flow.published_version}` : "never published",
        changed ? "draft changes" : "draft = live",
        check.errors
          ? `${check.errors} error(s)`
          : check.warnings
            ? `${check.warnings} warning(s)`
            : "no problems",
      ];
      if (live) {
        setText(parts.join(" · "));
        setLevel(check.errors ? "error" : check.warnings ? "warning" : "ok");
      }
    })().catch((e: Error) => live && setText(e.message));
    return () => {
      live = false;
    };
  }, [flow]);
  return (
    <span className={`fg-status fg-status-${level}`} data-testid={`status-${flow.id}`}>
      {text}
    </span>
  );
}

function NewFlowForm({ onCreated, taken }: { onCreated: (id: string) => void; taken: Set<string> }) {
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  // The id follows the name until the admin types an id of their own.
  const [ownId, setOwnId] = useState(false);
  const submit = async () => {
    if (!id) return setError("Give the flow a name or an id");
    if (!isValidId(id)) return setError("Id: letters, digits, _ and -, starting with a letter or _");
    if (taken.has(id)) return setError(`A flow called '${id}' exists`);
    try {
      await createFlow({ id, name, entry: "", nodes: [] });
      onCreated(id);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <form
      className="fg-new-flow"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label htmlFor="new-id">New flow id</label>
      <input
        id="new-id"
        data-testid="new-flow-id"
        value={id}
        placeholder="made from the name"
        onChange={(e) => {
          // "Business hours" typed as an id becomes business_hours instead of being refused.
          const v = e.target.value;
          setOwnId(v !== "");
          setId(/[^A-Za-z0-9_-]/.test(v) ? idFromName(v) + (/[\s]$/.test(v) ? "_" : "") : v);
        }}
      />
      <label htmlFor="new-name">Name</label>
      <input
        id="new-name"
        data-testid="new-flow-name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          if (!ownId) setId(idFromName(e.target.value));
        }}
      />
      <button type="submit" data-testid="new-flow-create">
        Create
      </button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

async function rename(id: string, name: string): Promise<void> {
  const out = await getFlow(id);
  await saveFlow(id, { ...out.flow, name }, out.etag);
}

async function duplicate(id: string, taken: Set<string>): Promise<string> {
  const out = await getFlow(id);
  let copy = `${id}_copy`;
  for (let i = 2; taken.has(copy); i += 1) copy = `${id}_copy${i}`;
  const flow: Flow = { ...out.flow, id: copy, name: `${out.flow.name || id} (copy)` };
  await createFlow(flow);
  return copy;
}

async function downloadFlow(id: string): Promise<void> {
  download(`${id}.json`, `${JSON.stringify(await exportFlow(id), null, 2)}\n`);
}

export function FlowList({ onOpen, onSignOut }: { onOpen: (id: string) => void; onSignOut: () => void }) {
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [message, setMessage] = useState("");
  const [undo, setUndo] = useState<string | null>(null);
  const reload = useCallback(() => {
    listFlows()
      .then(setFlows)
      .catch((e: Error) => setMessage(e.message));
  }, []);
  useEffect(reload, [reload]);
  const taken = new Set((flows ?? []).map((f) => f.id));
  const act = (p: Promise<unknown>, done = "") =>
    p
      .then(() => {
        setMessage(done);
        reload();
      })
      .catch((e: Error) => {
        const problems = e instanceof ApiError ? e.problems : [];
        setMessage(problems.length ? problems.map((p) => `${p.path}: ${p.message}`).join("; ") : e.message);
      });
  return (
    <main className="fg-flows">
      <header className="fg-toolbar">
        <h1>flowgraph · call flows</h1>
        <a href="#/tables" data-testid="open-tables">
          Tables
        </a>
        <label className="fg-file">
          Import JSON
          <input
            type="file"
            accept=".json,application/json"
            data-testid="import-file"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              try {
                act(importFlows(JSON.parse(await file.text()) as Flow | Flow[]), `Imported ${file.name}`);
              } catch {
                setMessage(`${file.name}: not JSON`);
              }
            }}
          />
        </label>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <NewFlowForm taken={taken} onCreated={onOpen} />
      {message && (
        <p role="status" data-testid="flows-message">
          {message}
          {undo && (
            <button
              type="button"
              data-testid="undo-delete"
              onClick={() => {
                act(restoreFlow(undo), `Restored ${undo}`);
                setUndo(null);
              }}
            >
              Undo
            </button>
          )}
        </p>
      )}
      {flows === null ? (
        <p>Loading…</p>
      ) : (
        <table className="fg-flow-table" data-testid="flow-table">
          <thead>
            <tr>
              <th scope="col">Flow</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.id} data-testid={`flow-row-${f.id}`}>
                <td>
                  <a href={`#/flow/${enc(f.id)}`} data-testid={`open-${f.id}`}>
                    {f.name || f.id}
                  </a>{" "}
                  <code>{f.id}</code>
                </td>
                <td>
                  <FlowStatus flow={f} />
                </td>
                <td>
                  <div className="fg-row fg-actions">
                    <button
                      type="button"
                      onClick={() => {
                        const name = window.prompt(`New name for ${f.id}`, f.name);
                        if (name !== null) act(rename(f.id, name), `Renamed ${f.id}`);
                      }}
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      data-testid={`duplicate-${f.id}`}
                      onClick={() => act(duplicate(f.id, taken), `Duplicated ${f.id}`)}
                    >
                      Duplicate
                    </button>
                    <button type="button" onClick={() => act(downloadFlow(f.id))}>
                      Export
                    </button>
                    <button
                      type="button"
                      data-testid={`delete-${f.id}`}
                      onClick={() => {
                        setUndo(f.id);
                        act(deleteFlow(f.id), `Deleted ${f.id}.`);
                      }}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
