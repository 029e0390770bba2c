// The editor's top bar: save status, undo/redo, layout, notes, step colours, search, export.
import { useReactFlow } from "@xyflow/react";
import { useEffect, useRef, useState } from "react";
import { type ImageQuery, imageUrl } from "../api/flows";
import { searchNodes } from "../graph/search";
import { type EditorStore, useEditor, useEditorStore } from "../store";
import { addNoteHere, autoLayout } from "./actions";
import { requestFit, showFlow } from "./Canvas";
import { download, downloadUrl } from "./download";
import { leaveEditor, saveNow } from "./hooks";

const SAVE_TEXT = {
  saved: "All changes saved",
  dirty: "Unsaved changes…",
  saving: "Saving…",
  conflict: "Conflict: changed elsewhere",
  invalid: "Not saved",
  error: "Save failed",
} as const;

/** What callers get compared with the canvas: the live version, and whether the draft differs. */
export function LiveState() {
  const live = useEditor((s) => s.live);
  const draft = useEditor((s) => s.draftVersion);
  const setTab = useEditor((s) => s.setTab);
  const differs = live !== null && draft !== "" && draft !== live.hash;
  const text = !live
    ? "Not published yet"
    : differs
      ? `Live: v${live.number} · the draft differs`
      : `Live: v${live.number} · same as the draft`;
  return (
    <button
      type="button"
      className={`fg-live-state${differs || !live ? " is-different" : ""}`}
      data-testid="live-state"
      title={
        differs
          ? "Callers get the live version, not what is on the canvas: publish to send them the draft"
          : "Show versions"
      }
      onClick={() => setTab("versions")}
    >
      {text}
    </button>
  );
}

export function SearchBox() {
  const flow = useEditor((s) => s.flow);
  const focusNode = useEditor((s) => s.focusNode);
  const [q, setQ] = useState("");
  const hits = flow ? searchNodes(flow, q, 8) : [];
  return (
    <search className="fg-search">
      <label htmlFor="node-search" className="fg-sr">
        Find a node
      </label>
      <input
        id="node-search"
        data-testid="node-search"
        placeholder="Find node (Ctrl+F)"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && hits[0]) {
            focusNode(hits[0].id);
            setQ("");
          }
          if (e.key === "Escape") setQ("");
        }}
      />
      {q && hits.length > 0 && (
        <ul className="fg-search-hits" aria-label="Matching nodes">
          {hits.map((n) => (
            <li key={n.id}>
              <button
                type="button"
                onClick={() => {
                  focusNode(n.id);
                  setQ("");
                }}
              >
                {n.id}{" "}
                <span className="fg-help">
                  {n.type} {n.name}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </search>
  );
}

async function exportImage(
  store: EditorStore,
  flowId: string,
  format: "svg" | "png",
  query: ImageQuery = {},
): Promise<void> {
  if (!(await saveNow(store))) throw new Error("save the draft first");
  downloadUrl(`${flowId}.${format}`, await imageUrl(flowId, format, query));
  store.getState().notify(`Downloaded ${flowId}.${format}`);
}

/** NOTICE_MS: how long a confirmation stays (a display duration, nothing waits on it). */
const NOTICE_MS = 4000;

/** The latest command confirmation ("Saved", "Downloaded x.json"), fading after a while. */
function Notice() {
  const notice = useEditor((s) => s.notice);
  const [shown, setShown] = useState<number | null>(null);
  useEffect(() => {
    if (!notice) return;
    setShown(notice.seq);
    const t = window.setTimeout(() => setShown(null), NOTICE_MS);
    return () => window.clearTimeout(t);
  }, [notice]);
  if (!notice || shown !== notice.seq) return null;
  return (
    <span role="status" className="fg-notice" data-testid="toolbar-notice">
      {notice.text}
    </span>
  );
}

export function Toolbar({ onBack }: { onBack: () => void }) {
  const store = useEditorStore();
  const s = useEditor();
  const rf = useReactFlow();
  const [message, setMessage] = useState("");
  const traffic = useRef<HTMLAnchorElement>(null);
  const flowId = s.flowId ?? "";
  const act = (p: Promise<void>) => p.then(() => setMessage("")).catch((e: Error) => setMessage(e.message));
  return (
    <header className="fg-toolbar">
      <button type="button" onClick={onBack} aria-label="Back to flows" data-testid="editor-back">
        ← Flows
      </button>
      <button
        type="button"
        data-testid="editor-tables"
        title="The server's tables (saves the draft first)"
        onClick={() => void leaveEditor(store, "#/tables")}
      >
        Tables
      </button>
      <h1 title={flowId}>{s.flow?.name || flowId}</h1>
      {s.saveState === "invalid" ? (
        // Saving is refused until the format problem is fixed: say which, and go there on a click.
        <button
          type="button"
          className="fg-save fg-save-invalid"
          data-testid="save-state"
          title="Show in Problems"
          onClick={() => s.setTab("problems")}
        >
          {SAVE_TEXT.invalid}
          {s.saveMessage && `: ${s.saveMessage}`}
        </button>
      ) : (
        <span
          className={`fg-save fg-save-${s.saveState}`}
          data-testid="save-state"
          role="status"
          title={s.saveMessage}
        >
          {SAVE_TEXT[s.saveState]}
        </span>
      )}
      <LiveState />
      <button
        type="button"
        onClick={s.undo}
        disabled={!s.past.length}
        aria-label="Undo (Ctrl+Z)"
        data-testid="undo"
      >
        ↶
      </button>
      <button
        type="button"
        onClick={s.redo}
        disabled={!s.future.length}
        aria-label="Redo (Ctrl+Shift+Z)"
        data-testid="redo"
      >
        ↷
      </button>
      <button
        type="button"
        data-testid="auto-layout"
        onClick={() => {
          const el = document.querySelector(".fg-canvas");
          const sizes = Object.fromEntries(
            rf
              .getNodes()
              .filter((n) => n.measured?.height)
              .map((n) => [n.id, { width: n.measured?.width ?? 0, height: n.measured?.height ?? 0 }]),
          );
          const view = el ? { width: el.clientWidth, height: el.clientHeight, sizes } : undefined;
          void autoLayout(store, () => requestFit(() => showFlow(store, rf)), view);
        }}
      >
        Auto-layout
      </button>
      <button
        type="button"
        data-testid="add-note"
        onClick={() => addNoteHere(store, rf.screenToFlowPosition({ x: window.innerWidth / 2, y: 120 }))}
      >
        Note
      </button>
      <label className="fg-toggle">
        <input
          type="checkbox"
          data-testid="colour-steps"
          checked={s.colourBySteps}
          onChange={(e) => s.setColourBySteps(e.target.checked)}
        />
        Colour by step
      </label>
      <SearchBox />
      <button type="button" data-testid="export-svg" onClick={() => act(exportImage(store, flowId, "svg"))}>
        SVG
      </button>
      <button type="button" data-testid="export-png" onClick={() => act(exportImage(store, flowId, "png"))}>
        PNG
      </button>
      <button
        type="button"
        data-testid="traffic"
        onClick={() =>
          act(
            imageUrl(flowId, "svg", { traffic: "24h" }).then((url) => {
              if (traffic.current) {
                traffic.current.href = url;
                traffic.current.click();
              }
            }),
          )
        }
      >
        Traffic 24h
      </button>
      <a ref={traffic} href="about:blank" target="_blank" rel="noreferrer" hidden>
        traffic
      </a>
      <button
        type="button"
        data-testid="export-json"
        title="Download the flow document (the draft on screen) as JSON"
        onClick={() => {
          if (!s.flow) return;
          download(`${flowId}.json`, `${JSON.stringify(s.flow, null, 2)}\n`);
          s.notify(`Downloaded ${flowId}.json`);
        }}
      >
        JSON
      </button>
      <Notice />
      {message && (
        <span role="alert" className="fg-toolbar-error">
          {message}
        </span>
      )}
    </header>
  );
}
