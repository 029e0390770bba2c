// A save was refused because the flow changed elsewhere (another tab or user). Nothing is lost:
// the user reloads the stored version (after downloading theirs) or overwrites it with theirs.
import { getFlow, saveFlow } from "../api/flows";
import { useEditor, useEditorStore } from "../store";
import { download } from "./download";

export function ConflictDialog() {
  const store = useEditorStore();
  const state = useEditor((s) => s.saveState);
  if (state !== "conflict") return null;
  const s = store.getState();
  const flowId = s.flowId ?? "";
  const reload = async () => {
    const out = await getFlow(flowId);
    store.setState({ etag: out.etag });
    store.getState().load(out.flow);
  };
  const overwrite = async () => {
    const current = store.getState();
    const latest = await getFlow(flowId);
    const revision = current.revision;
    const saved = await saveFlow(flowId, current.flow ?? latest.flow, latest.etag);
    store.getState().setSaved(saved.etag, revision);
  };
  return (
    <div
      className="fg-modal"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="conflict-title"
      data-testid="conflict"
    >
      <div className="fg-modal-box">
        <h2 id="conflict-title">This flow was changed somewhere else</h2>
        <p>
          Someone (or another tab) saved this flow after you opened it. Your changes are still here and have
          not been saved.
        </p>
        <div className="fg-row">
          <button
            type="button"
            data-testid="conflict-download"
            onClick={() => s.flow && download(`${flowId}.mine.json`, JSON.stringify(s.flow, null, 2))}
          >
            Download my version
          </button>
          <button type="button" data-testid="conflict-reload" onClick={() => void reload()}>
            Reload theirs (discard mine)
          </button>
          <button type="button" data-testid="conflict-overwrite" onClick={() => void overwrite()}>
            Overwrite with mine
          </button>
        </div>
      </div>
    </div>
  );
}
