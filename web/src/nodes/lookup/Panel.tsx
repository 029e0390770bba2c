import { useState } from "react";
import type { Flow, LookupNode, Table } from "../../api/types";
import { saveNow } from "../../editor/hooks";
import { tableFromCsv, tableToCsv } from "../../graph/csv";
import { updateNode } from "../../graph/ops";
import { useEditorStore } from "../../store";
import { Field, OptionalNumber, TextInput } from "../shared/fields";
import type { PanelProps } from "../shared/panel";
import {
  declareServerTable,
  type TableChoice,
  tableChoices,
  tableState,
  useServerTables,
} from "../shared/serverTables";

type Source = LookupNode["source"];

function setTable(flow: Flow, name: string, table: Table): Flow {
  return { ...flow, tables: { ...(flow.tables ?? {}), [name]: table } };
}

/** A table kept on the server (`server: true`): its rows are not in the flow; edit them on the
 * Tables page (the draft is saved first). */
function ServerTableNote({ name, flow }: { name: string; flow: Flow }) {
  const store = useEditorStore();
  const columns = flow.tables?.[name]?.columns ?? [];
  return (
    <div className="fg-table-editor" data-testid="server-table-note">
      <p>
        Table “{name}” is kept on the server{columns.length ? ` (columns ${columns.join(", ")})` : ""}: calls
        and the Simulate tab read its live version; flow tests see it empty.
      </p>
      <button
        type="button"
        data-testid="open-server-table"
        onClick={() =>
          void saveNow(store).finally(() => (window.location.hash = `#/tables/${encodeURIComponent(name)}`))
        }
      >
        Open “{name}” in Tables
      </button>
    </div>
  );
}

/** Rows of a flow table with CSV paste/import (first column = key). */
function TableEditor({
  name,
  flow,
  editFlow,
}: {
  name: string;
  flow: Flow;
  editFlow: PanelProps["editFlow"];
}) {
  const table = flow.tables?.[name] ?? { columns: [], rows: {} };
  const [csv, setCsv] = useState("");
  const [done, setDone] = useState("");
  const cols = table.columns ?? [];
  const rows = Object.entries(table.rows ?? {});
  const importCsv = (text: string, from: string) => {
    const next = tableFromCsv(text);
    editFlow((f) => setTable(f, name, next));
    setCsv("");
    const n = Object.keys(next.rows ?? {}).length;
    setDone(`${from}: ${n} row${n === 1 ? "" : "s"}, columns ${(next.columns ?? []).join(", ") || "(none)"}`);
  };
  return (
    <div className="fg-table-editor" data-testid="table-editor">
      <table>
        <caption>
          Table “{name}” · {rows.length} rows
        </caption>
        <thead>
          <tr>
            <th scope="col">key</th>
            {cols.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 50).map(([key, row]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              {cols.map((c) => (
                <td key={c}>
                  <input
                    aria-label={`${key} ${c}`}
                    value={row[c] ?? ""}
                    onChange={(e) =>
                      editFlow(
                        (f) =>
                          setTable(f, name, {
                            ...table,
                            rows: { ...table.rows, [key]: { ...row, [c]: e.target.value } },
                          }),
                        `table:${name}:${key}:${c}`,
                      )
                    }
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 50 && (
        <p className="fg-help">Showing 50 of {rows.length} rows; paste CSV to replace all.</p>
      )}
      <label htmlFor={`csv-${name}`}>Paste CSV (header row; first column is the key)</label>
      <textarea
        id={`csv-${name}`}
        rows={4}
        value={csv}
        placeholder={tableToCsv(table)}
        onChange={(e) => setCsv(e.target.value)}
      />
      <div className="fg-row">
        <button type="button" disabled={!csv.trim()} onClick={() => importCsv(csv, "Pasted")}>
          Replace table with CSV
        </button>
        <label className="fg-file">
          Import CSV file
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) importCsv(await file.text(), file.name);
            }}
          />
        </label>
      </div>
      {done && (
        <p role="status" className="fg-help" data-testid="csv-result">
          {done}
        </p>
      )}
    </div>
  );
}

/** Under the table name: the server table's note, the flow table's rows, or what the name is not. */
function TableBelow({
  name,
  state,
  flow,
  editFlow,
  declare,
}: {
  name: string;
  state: ReturnType<typeof tableState>;
  flow: Flow;
  editFlow: PanelProps["editFlow"];
  declare: () => void;
}) {
  if (state === "empty")
    return (
      <p className="fg-help">
        Pick a table of this flow or a server table above, or name a new one and paste its rows as CSV.
      </p>
    );
  if (state === "server") return <ServerTableNote name={name} flow={flow} />;
  if (state === "undeclared")
    return (
      <p className="fg-help" data-testid="lookup-table-undeclared">
        “{name}” is a server table this flow does not declare yet.{" "}
        <button type="button" data-testid="declare-server-table" onClick={declare}>
          Use server table “{name}”
        </button>
      </p>
    );
  return (
    <>
      {state !== "flow" && (
        <p className="fg-field-errors" role="alert" data-testid="lookup-table-unknown">
          {state === "unknown"
            ? `No table “${name}” in this flow or on the server.`
            : `No table “${name}” in this flow (the server's tables could not be listed).`}{" "}
          Paste its rows below to keep them in this flow, or upload it on the Tables page and pick it here.
        </p>
      )}
      <TableEditor name={name} flow={flow} editFlow={editFlow} />
    </>
  );
}

export function LookupPanel({ node, flow, update, editFlow }: PanelProps<LookupNode>) {
  const s = node.source;
  const setSource = (source: Source, key?: string) => update({ source }, key);
  const server = useServerTables();
  const choices: TableChoice[] = tableChoices(flow.tables, server);
  const state = s.kind === "table" ? tableState(s.table, flow.tables, server) : "empty";
  // Naming a server table the flow does not declare declares it (with its columns), as the
  // switch's calendar picker does: the live server then reads its live version.
  // One edit (one undo step) names the table and declares it.
  const pickTable = (table: string) => {
    const picked = choices.find((c) => c.name === table);
    if (!declareServerTable(flow.tables, picked)) return setSource({ ...s, kind: "table", table }, "table");
    editFlow((f) => {
      const next = updateNode(f, node.id, { source: { ...s, kind: "table", table } });
      return { ...next, tables: declareServerTable(next.tables, picked) ?? next.tables };
    });
  };
  return (
    <>
      <Field label="Find the row in" node={node.id} field="source.kind">
        {(id) => (
          <select
            id={id}
            value={s.kind}
            onChange={(e) =>
              setSource(
                e.target.value === "http"
                  ? { kind: "http", url: "https://", method: "GET", timeout_ms: 800 }
                  : { kind: "table", table: "", key: "{{caller_id_number}}", match: "exact" },
              )
            }
          >
            <option value="table">a table (this flow’s or the server’s)</option>
            <option value="http">your HTTP API</option>
          </select>
        )}
      </Field>
      {s.kind === "table" ? (
        <>
          <Field label="Table" node={node.id} field="source.table">
            {(id) => (
              <>
                <input
                  id={id}
                  list={`tables-${node.id}`}
                  data-testid="lookup-table"
                  value={s.table}
                  onChange={(e) => pickTable(e.target.value)}
                />
                <datalist id={`tables-${node.id}`}>
                  {choices.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.where === "flow" ? "in this flow" : "server table"}
                    </option>
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Key" node={node.id} field="source.key">
            {(id) => (
              <TextInput id={id} value={s.key ?? ""} onChange={(key) => setSource({ ...s, key }, "key")} />
            )}
          </Field>
          <Field label="Match" node={node.id} field="source.match">
            {(id) => (
              <select
                id={id}
                value={s.match ?? "exact"}
                onChange={(e) => setSource({ ...s, match: e.target.value as "exact" | "prefix" })}
              >
                <option value="exact">exact</option>
                <option value="prefix">longest prefix</option>
              </select>
            )}
          </Field>
          <TableBelow
            name={s.table}
            state={state}
            flow={flow}
            editFlow={editFlow}
            declare={() => pickTable(s.table)}
          />
        </>
      ) : (
        <>
          <Field label="URL" node={node.id} field="source.url">
            {(id) => (
              <TextInput id={id} value={s.url ?? ""} onChange={(url) => setSource({ ...s, url }, "url")} />
            )}
          </Field>
          <Field label="Method" node={node.id} field="source.method">
            {(id) => (
              <select
                id={id}
                value={s.method ?? "GET"}
                onChange={(e) => setSource({ ...s, method: e.target.value as "GET" | "POST" })}
              >
                <option>GET</option>
                <option>POST</option>
              </select>
            )}
          </Field>
          <Field label="Timeout (ms)" node={node.id} field="source.timeout_ms">
            {(id) => (
              <OptionalNumber
                id={id}
                value={s.timeout_ms}
                onChange={(timeout_ms) => setSource({ ...s, timeout_ms: timeout_ms ?? 800 }, "timeout")}
              />
            )}
          </Field>
        </>
      )}
    </>
  );
}
