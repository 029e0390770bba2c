// The Tables page ("#/tables", "#/tables/<name>"): the server's tables (name, version, rows,
// columns, updated) and the open one: its row count, CSV download, CSV upload (a new version)
// and its rows searched a page at a time. A new table is made by uploading its first CSV.
import { useEffect, useState } from "react";
import { enc } from "../api/client";
import type { TableSummary } from "../api/tables";
import { isValidId } from "../graph/ops";
import { useTables } from "./store";
import { TableRows } from "./TableRows";
import { UploadBox } from "./UploadBox";
import { count, counted, size } from "./view";

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function TableList({ open }: { open: string | null }) {
  const tables = useTables((s) => s.tables);
  const error = useTables((s) => s.listError);
  if (error) return <p role="alert">Could not list the tables: {error}</p>;
  if (tables === null) return <p className="fg-help">Loading tables…</p>;
  if (!tables.length) return <p className="fg-help">No tables on the server yet: upload one below.</p>;
  return (
    <table className="fg-flow-table" data-testid="tables-list">
      <thead>
        <tr>
          <th scope="col">Table</th>
          <th scope="col">Version</th>
          <th scope="col">Rows</th>
          <th scope="col">Columns</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {tables.map((t) => (
          <tr
            key={t.name}
            data-testid={`table-${t.name}`}
            aria-current={t.name === open ? "true" : undefined}
          >
            <td>
              <a href={`#/tables/${enc(t.name)}`} data-testid={`open-table-${t.name}`}>
                {t.name}
              </a>
            </td>
            <td data-testid={`version-${t.name}`}>v{t.version}</td>
            <td data-testid={`rows-${t.name}`}>{count(t.rows)}</td>
            <td>{t.columns.join(", ")}</td>
            <td>{when(t.updated)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NewTable() {
  const [name, setName] = useState("");
  const valid = isValidId(name);
  return (
    <section className="fg-new-table" aria-label="New table">
      <h2>New table</h2>
      <label htmlFor="new-table-name">Name</label>
      <input
        id="new-table-name"
        data-testid="new-table-name"
        value={name}
        placeholder="customers"
        onChange={(e) => setName(e.target.value.trim())}
      />
      {name && !valid && (
        <p role="alert">A name starts with a letter or _, then letters, digits, _ or - (64 at most).</p>
      )}
      <UploadBox
        name={valid ? name : ""}
        place="new-table"
        onDone={() => {
          setName("");
          window.location.hash = `#/tables/${enc(name)}`;
        }}
      />
    </section>
  );
}

function OpenTable({ table }: { table: TableSummary }) {
  const downloadCsv = useTables((s) => s.downloadCsv);
  return (
    <section className="fg-open-table" aria-label={`Table ${table.name}`}>
      <h2>
        {table.name} <span data-testid="open-version">version {table.version}</span>
      </h2>
      <p data-testid="open-summary">
        <strong data-testid="open-rows">{counted(table.rows, "row")}</strong> · key column{" "}
        <code>{table.key}</code> · columns {table.columns.join(", ")} · {size(table.size)} · updated{" "}
        {when(table.updated)}
        {table.text_keys > 0 && ` · ${counted(table.text_keys, "key")} not a phone number`}
      </p>
      <div className="fg-row">
        <button type="button" data-testid="table-download" onClick={() => void downloadCsv(table.name)}>
          Download CSV
        </button>
      </div>
      <h3>Upload a new version</h3>
      <UploadBox name={table.name} place="open-table" />
      <h3>Rows</h3>
      <TableRows />
    </section>
  );
}

export function TablesPage({
  table,
  backTo,
  onSignOut,
}: {
  table: string | null;
  backTo: string | null;
  onSignOut: () => void;
}) {
  const loadList = useTables((s) => s.loadList);
  const openTable = useTables((s) => s.openTable);
  const tables = useTables((s) => s.tables);
  useEffect(() => {
    void loadList();
  }, [loadList]);
  useEffect(() => openTable(table), [table, openTable]);
  const current = tables?.find((t) => t.name === table) ?? null;
  return (
    <main className="fg-flows fg-tables">
      <header className="fg-toolbar">
        <a href="#/" data-testid="tables-to-flows">
          ← Flows
        </a>
        {backTo && (
          <a href={`#/flow/${enc(backTo)}`} data-testid="tables-to-flow">
            ← Back to {backTo}
          </a>
        )}
        <h1>flowgraph · server tables</h1>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <p className="fg-help">
        Tables kept on the server, for flows that declare them with <code>"server": true</code>. Each upload
        is checked whole, then becomes the next version, live for calls at once.
      </p>
      <TableList open={table} />
      {table && tables !== null && !current && (
        <p role="alert" data-testid="no-such-table">
          No table '{table}' on the server: upload its first CSV under New table.
        </p>
      )}
      {current && <OpenTable table={current} />}
      <NewTable />
    </main>
  );
}
