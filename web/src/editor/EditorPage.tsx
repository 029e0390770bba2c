// One open flow: palette, canvas, side panels; loads the draft and runs autosave / live check.
import { ReactFlowProvider } from "@xyflow/react";
import { useEffect, useState } from "react";
import { getFlow } from "../api/flows";
import { useEditor, useEditorStore } from "../store";
import { CallsPanel } from "./CallsPanel";
import { Canvas } from "./Canvas";
import { ConflictDialog } from "./ConflictDialog";
import { DeployPanel } from "./DeployPanel";
import { useAutosave, useFlowTests, useLive, useLiveCheck } from "./hooks";
import { Palette } from "./Palette";
import { ProblemsPanel } from "./ProblemsPanel";
import { PropertiesPanel } from "./PropertiesPanel";
import { plural } from "./plural";
import { SimulatorPanel } from "./SimulatorPanel";
import { useShortcuts } from "./shortcuts";
import { TestsPanel } from "./TestsPanel";
import { Toolbar } from "./Toolbar";
import { VersionsPanel } from "./VersionsPanel";

const TABS = [
  ["properties", "Properties"],
  ["problems", "Problems"],
  ["simulate", "Simulate"],
  ["tests", "Tests"],
  ["versions", "Publish"],
  ["deploy", "Deploy"],
  ["calls", "Calls"],
] as const;

export { plural };

/** The Tests tab's badge: how many fail (red) or pass, once they have run. */
function TestsCount() {
  const run = useEditor((s) => s.testRun);
  const blocked = useEditor((s) => s.testState === "blocked");
  if (!run || blocked || run.passed + run.failed === 0) return null;
  return (
    <span className="fg-count" data-testid="tests-count">
      {run.failed ? (
        <span className="fg-count-error">{run.failed} failing</span>
      ) : (
        <span className="fg-count-pass">{run.passed} ✓</span>
      )}
    </span>
  );
}

function SidePanel() {
  const tab = useEditor((s) => s.tab);
  const setTab = useEditor((s) => s.setTab);
  const errors = useEditor((s) => s.index.errors);
  const warnings = useEditor((s) => s.index.warnings);
  return (
    <aside className="fg-side" aria-label="Panels">
      <div role="tablist" aria-label="Panels" className="fg-tabs">
        {TABS.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            type="button"
            id={`tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`panel-${id}`}
            data-testid={`tab-${id}`}
            onClick={() => setTab(id)}
          >
            {label}
            {id === "tests" && <TestsCount />}
            {id === "problems" && (
              <span className="fg-count" data-testid="problem-count">
                {errors > 0 && <span className="fg-count-error">{plural(errors, "error")}</span>}
                {warnings > 0 && <span className="fg-count-warning">{plural(warnings, "warning")}</span>}
                {!errors && !warnings && "none"}
              </span>
            )}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="fg-panel">
        {tab === "properties" && <PropertiesPanel />}
        {tab === "problems" && <ProblemsPanel />}
        {tab === "simulate" && <SimulatorPanel />}
        {tab === "tests" && <TestsPanel />}
        {tab === "versions" && <VersionsPanel />}
        {tab === "deploy" && <DeployPanel />}
        {tab === "calls" && <CallsPanel />}
      </div>
    </aside>
  );
}

function Editor({ onBack }: { onBack: () => void }) {
  useAutosave();
  useLiveCheck();
  useFlowTests();
  useLive();
  useShortcuts();
  const focus = useEditor((s) => s.focus);
  const setTab = useEditor((s) => s.setTab);
  // Focusing a node from Problems or search shows its properties.
  useEffect(() => {
    if (focus) setTab("properties");
  }, [focus, setTab]);
  // The side panel follows the selection (except while a simulated call is on screen).
  const store = useEditorStore();
  const selected = useEditor((s) => s.selected);
  useEffect(() => {
    const s = store.getState();
    if (selected.size && s.tab !== "simulate" && s.tab !== "properties") s.setTab("properties");
  }, [store, selected]);
  return (
    <div className="fg-editor">
      <Toolbar onBack={onBack} />
      <div className="fg-body">
        <Palette />
        <Canvas />
        <SidePanel />
      </div>
      <ConflictDialog />
    </div>
  );
}

export function EditorPage({ flowId, onBack }: { flowId: string; onBack: () => void }) {
  const [error, setError] = useState("");
  const store = useEditorStore();
  const loaded = useEditor((s) => s.flowId === flowId && s.flow !== null);
  useEffect(() => {
    let live = true;
    store.setState({ flowId: null, flow: null, steps: [], tab: "properties", shownCall: null });
    store.getState().setTestRun("idle", null, "", -1);
    store.getState().setDiagnostics([], -1);
    getFlow(flowId)
      .then((out) => {
        if (!live) return;
        store.setState({ flowId, etag: out.etag });
        store.getState().load(out.flow);
      })
      .catch((e: Error) => setError(e.message));
    return () => {
      live = false;
    };
  }, [store, flowId]);
  if (error)
    return (
      <p role="alert">
        Could not open flow '{flowId}': {error}
      </p>
    );
  if (!loaded) return <p className="fg-help">Loading {flowId}…</p>;
  return (
    <ReactFlowProvider>
      <Editor onBack={onBack} />
    </ReactFlowProvider>
  );
}
