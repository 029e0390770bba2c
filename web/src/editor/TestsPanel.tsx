// The flow's tests (scripted calls kept in the document): each one green or red with its first
// difference, run on the saved draft after every edit; branch coverage, with a toggle that
// shades the branches no test reaches on the canvas.
import { useState } from "react";
import type { FlowTestResult } from "../api/flows";
import { branchLabel } from "../graph/branches";
import { type FlowTest, outcomeText, removeTest, renameTest, replaceTest } from "../graph/flowtests";
import { nodesOf } from "../graph/ops";
import { useEditor } from "../store";
import { plural } from "./plural";
import { TestEditor } from "./TestEditor";

/** The flow's HTTP lookups: a test says what each answers. */
function useHttpLookups(): string[] {
  const flow = useEditor((s) => s.flow);
  if (!flow) return [];
  return nodesOf(flow)
    .filter((n) => n.type === "lookup" && (n as { source?: { kind?: string } }).source?.kind === "http")
    .map((n) => n.id);
}

function statusLine(state: string, message: string, passed: number, failed: number): string {
  if (state === "blocked") return `The tests run once the draft has no errors (${message}).`;
  if (state === "error") return `The tests could not run: ${message}`;
  if (state === "idle") return "Running the tests…";
  const verdict = failed
    ? `${plural(failed, "test")} failing, ${passed} passing`
    : `All ${plural(passed, "test")} pass`;
  return passed + failed ? verdict : "No tests yet.";
}

function TestRow({ test, index, result }: { test: FlowTest; index: number; result?: FlowTestResult }) {
  const edit = useEditor((s) => s.edit);
  const tests = useEditor((s) => s.flow?.tests ?? []);
  const lookups = useHttpLookups();
  const [editing, setEditing] = useState(false);
  const state = result ? (result.passed ? "passed" : "failed") : "unknown";
  return (
    <li className={`fg-test is-${state}`} data-testid={`test-${index}`} data-state={state}>
      <span className="fg-test-mark" aria-hidden="true">
        {state === "passed" ? "✓" : state === "failed" ? "✗" : "…"}
      </span>
      <div className="fg-test-body">
        {/* A textarea sized to its text, so a long name wraps and is read whole. */}
        <textarea
          className="fg-test-name"
          rows={1}
          aria-label={`Test ${index + 1} name`}
          data-testid={`test-${index}-name`}
          title={test.name}
          value={test.name}
          onChange={(e) =>
            edit((f) => renameTest(f, index, e.target.value.replace(/\n/g, " ")), `test-name-${index}`)
          }
        />
        <div className="fg-help">
          {test.call.caller} at {test.call.at} presses{" "}
          {(test.presses ?? []).map((k) => k ?? "no input").join(", ") || "nothing"}
          {" · expects "}
          {outcomeText(test.expect)}
        </div>
        {result?.notes?.length ? (
          <ul className="fg-help fg-test-notes" data-testid={`test-${index}-notes`}>
            {result.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
        {result && !result.passed && (
          <div className="fg-test-diff" data-testid={`test-${index}-diff`}>
            {result.differences[0]}
          </div>
        )}
        {editing ? (
          <TestEditor
            test={test}
            lookupNodes={lookups}
            otherNames={tests.filter((_, i) => i !== index).map((t) => t.name)}
            onCancel={() => setEditing(false)}
            onSave={(changed) => {
              edit((f) => replaceTest(f, index, changed));
              setEditing(false);
            }}
          />
        ) : (
          <button
            type="button"
            className="fg-link"
            data-testid={`test-${index}-edit`}
            onClick={() => setEditing(true)}
          >
            Edit name, call, keys, lookups and expectation
          </button>
        )}
      </div>
      <button
        type="button"
        className="fg-test-delete"
        aria-label={`Delete test ${test.name}`}
        data-testid={`test-${index}-delete`}
        onClick={() => edit((f) => removeTest(f, index))}
      >
        ×
      </button>
    </li>
  );
}

function Coverage() {
  const run = useEditor((s) => s.testRun);
  const show = useEditor((s) => s.showUntested);
  const setShow = useEditor((s) => s.setShowUntested);
  const focusNode = useEditor((s) => s.focusNode);
  if (!run) return null;
  const cov = run.coverage;
  return (
    <section className="fg-coverage" data-testid="test-coverage">
      <p>
        Branch coverage: <strong>{cov.percent}%</strong> ({cov.covered} of {plural(cov.branches, "branch")})
      </p>
      <label className="fg-check">
        <input
          type="checkbox"
          data-testid="shade-untested"
          checked={show}
          onChange={(e) => setShow(e.target.checked)}
        />{" "}
        Shade the branches no test reaches
      </label>
      {cov.missed.length > 0 && (
        <ul className="fg-untested" data-testid="untested-list">
          {cov.missed.map((m) => (
            <li key={`${m.node}|${m.branch}`}>
              <button type="button" className="fg-link" onClick={() => focusNode(m.node)}>
                {m.node}
              </button>{" "}
              {branchLabel(m.branch)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function TestsPanel() {
  const tests = useEditor((s) => s.flow?.tests ?? []);
  const run = useEditor((s) => s.testRun);
  const state = useEditor((s) => s.testState);
  const message = useEditor((s) => s.testMessage);
  const stale = useEditor((s) => s.revision !== s.testedRevision || s.testState === "running");
  // Results are matched by name: the server runs the saved draft, which may lag the screen.
  const byName = new Map((run?.results ?? []).map((r) => [r.name, r]));
  return (
    <div className="fg-tests" data-testid="tests-panel">
      <p role="status" data-testid="tests-status" data-stale={stale ? "true" : "false"}>
        {statusLine(state === "running" && run ? "done" : state, message, run?.passed ?? 0, run?.failed ?? 0)}
      </p>
      {tests.length === 0 && (
        <p className="fg-help">
          Place a call on the Simulate tab, then press “Save as test”: the call and how it ended become a test
          that runs after every edit and before each publish.
        </p>
      )}
      <ol className="fg-test-list">
        {tests.map((t, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: tests are edited by position
          <TestRow key={i} test={t} index={i} result={byName.get(t.name)} />
        ))}
      </ol>
      <Coverage />
    </div>
  );
}
