// The server's tables as nodes offer them beside the flow's own: the switch's holiday calendar
// and the lookup's table pick from both, and picking a server table the flow does not declare
// yet declares it (`server: true` with the server's columns), so the live server reads it.
import { useEffect, useState } from "react";
import { listTables, type TableSummary } from "../../api/tables";
import type { Table } from "../../api/types";

type Tables = Record<string, Table> | null | undefined;

/** The server's tables (null while loading or when the server cannot list them). */
export function useServerTables(): TableSummary[] | null {
  const [tables, setTables] = useState<TableSummary[] | null>(null);
  useEffect(() => {
    let live = true;
    listTables()
      .then((t) => live && setTables(t))
      .catch(() => live && setTables(null));
    return () => {
      live = false;
    };
  }, []);
  return tables;
}

export interface TableChoice {
  name: string;
  where: "flow" | "server" | "flow+server";
  /** The server's columns without its key (what the flow declares when it adopts the table). */
  columns: string[];
}

/** The tables to pick from: the flow's and the server's, by name, each once. */
export function tableChoices(
  flowTables: Tables,
  server: { name: string; key: string; columns: string[] }[] | null,
): TableChoice[] {
  const out = new Map<string, TableChoice>();
  for (const name of Object.keys(flowTables ?? {})) out.set(name, { name, where: "flow", columns: [] });
  for (const t of server ?? []) {
    const columns = t.columns.filter((c) => c !== t.key);
    out.set(t.name, { name: t.name, where: out.has(t.name) ? "flow+server" : "server", columns });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The flow's tables after naming table `choice`: a server table the flow does not declare yet is
 * declared (`server: true`, its columns); null where nothing changes.
 */
export function declareServerTable(
  tables: Tables,
  choice: TableChoice | undefined,
): Record<string, Table> | null {
  if (choice?.where !== "server" || tables?.[choice.name]) return null;
  return { ...(tables ?? {}), [choice.name]: { server: true, columns: choice.columns } as Table };
}

/** What a typed table name is: the flow's own rows, a server table the flow declares, a server
 * table the flow does not declare yet, or neither (`unknown`; `unlisted` while the server's
 * tables are loading or cannot be listed). */
export type TableState = "empty" | "flow" | "server" | "undeclared" | "unknown" | "unlisted";

export function tableState(name: string, flowTables: Tables, server: { name: string }[] | null): TableState {
  if (!name) return "empty";
  const own = flowTables?.[name];
  if (own) return own.server ? "server" : "flow";
  if (server?.some((t) => t.name === name)) return "undeclared";
  return server ? "unknown" : "unlisted";
}
