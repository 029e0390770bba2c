// The Tables view's state (zustand): the server's tables, the open one's page of rows (searched
// or not), and the last upload (progress, then what it did or the located problems). Answers
// that arrive after a newer request are dropped, so typing a search never shows stale rows.
import { create } from "zustand";
import { ApiError } from "../api/client";
import {
  exportTableCsv,
  importTableCsv,
  listTables,
  type TableRows,
  type TableSummary,
  tableRows,
} from "../api/tables";
import { download } from "../editor/download";
import { clampOffset, imported, type Located, locate, refused } from "./view";

export const PAGE_SIZE = 50;

export interface Upload {
  state: "idle" | "sending" | "checking" | "done" | "refused";
  table: string;
  file: string;
  sent: number;
  total: number;
  /** What happened, in one sentence (for "refused", what stayed live). */
  message: string;
  /** The server's one line of detail when refused. */
  detail: string;
  problems: Located[];
}

const NO_UPLOAD: Upload = {
  state: "idle",
  table: "",
  file: "",
  sent: 0,
  total: 0,
  message: "",
  detail: "",
  problems: [],
};

export interface TablesState {
  tables: TableSummary[] | null;
  listError: string;
  /** The open table's name (null: none). */
  open: string | null;
  q: string;
  offset: number;
  page: TableRows | null;
  pageError: string;
  upload: Upload;
  loadList: () => Promise<void>;
  openTable: (name: string | null) => void;
  search: (q: string) => void;
  goTo: (offset: number) => void;
  uploadFile: (name: string, file: File) => Promise<boolean>;
  downloadCsv: (name: string) => Promise<void>;
}

let pageRequest = 0;

export const useTables = create<TablesState>((set, get) => {
  /** Load the open table's page for the current query and offset. */
  const loadPage = async () => {
    const { open, q, offset } = get();
    const mine = ++pageRequest;
    if (!open) return set({ page: null, pageError: "" });
    try {
      const page = await tableRows(open, q, offset, PAGE_SIZE);
      if (mine !== pageRequest) return;
      const fixed = clampOffset(offset, PAGE_SIZE, page.total);
      if (fixed !== offset) {
        set({ offset: fixed });
        return void loadPage();
      }
      set({ page, pageError: "" });
    } catch (e) {
      if (mine === pageRequest) set({ page: null, pageError: (e as Error).message });
    }
  };
  return {
    tables: null,
    listError: "",
    open: null,
    q: "",
    offset: 0,
    page: null,
    pageError: "",
    upload: NO_UPLOAD,
    loadList: async () => {
      try {
        set({ tables: await listTables(), listError: "" });
      } catch (e) {
        set({ listError: (e as Error).message });
      }
    },
    openTable: (name) => {
      if (name === get().open) return;
      set({ open: name, q: "", offset: 0, page: null, pageError: "" });
      void loadPage();
    },
    search: (q) => {
      set({ q, offset: 0 });
      void loadPage();
    },
    goTo: (offset) => {
      set({ offset: Math.max(0, offset) });
      void loadPage();
    },
    uploadFile: async (name, file) => {
      const before = get().tables?.find((t) => t.name === name) ?? null;
      const base = { ...NO_UPLOAD, table: name, file: file.name, total: file.size };
      set({ upload: { ...base, state: "sending" } });
      const onProgress = (sent: number, total: number) =>
        set({ upload: { ...base, state: sent >= total ? "checking" : "sending", sent, total } });
      try {
        const result = await importTableCsv(name, file, onProgress);
        set({ upload: { ...base, state: "done", sent: file.size, message: imported(result, before) } });
        await get().loadList();
        if (get().open === name) void loadPage();
        return true;
      } catch (e) {
        const problems = e instanceof ApiError ? e.problems.map(locate) : [];
        const detail = (e as Error).message;
        const unsent = e instanceof ApiError && e.status === 0;
        const message = unsent ? "The file did not reach the server: nothing was imported." : refused(before);
        set({ upload: { ...base, state: "refused", message, detail, problems } });
        return false;
      }
    },
    downloadCsv: async (name) => {
      try {
        download(`${name}.csv`, await exportTableCsv(name));
      } catch (e) {
        set({ pageError: `Download failed: ${(e as Error).message}` });
      }
    },
  };
});
