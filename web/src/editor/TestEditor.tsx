// Editing a saved flow test in the Tests tab: its name, who calls and when, what the caller
// presses at each prompt (keys, keys then #, or no input), what each HTTP lookup answers, and
// how the call must end. Problems
// are shown beside their field and Save stays off until there are none.
import { useState } from "react";
import {
  draftOf,
  type FlowTest,
  type LookupKind,
  type PressKind,
  TEST_NAME_MAX,
  type TestDraft,
  testOf,
  validateDraft,
} from "../graph/flowtests";

const TRANSFER_TYPES = ["number", "agent", "ivr", "auto_attendant", "department"] as const;
const OUTCOMES = ["transfer", "handoff", "hangup", "failover"] as const;
const LOOKUP_KINDS: [LookupKind, string][] = [
  ["row", "a row"],
  ["not_found", "not found"],
  ["error", "an error"],
  ["timeout", "a timeout"],
];

function FieldError({ errors, field }: { errors: Record<string, string>; field: string }) {
  const text = errors[field];
  if (!text) return null;
  return (
    <span className="fg-field-error" role="alert" data-testid={`test-edit-error-${field}`}>
      {text}
    </span>
  );
}

/** The test's name (what the Tests tab lists), the caller's number and the call time. */
function CallFields({
  draft,
  set,
  errors,
}: {
  draft: TestDraft;
  set: (d: TestDraft) => void;
  errors: Record<string, string>;
}) {
  return (
    <fieldset>
      <legend>The call</legend>
      <label className="fg-test-edit-name">
        Name{" "}
        <textarea
          data-testid="test-edit-name"
          rows={2}
          maxLength={TEST_NAME_MAX + 20}
          value={draft.name}
          onChange={(e) => set({ ...draft, name: e.target.value.replace(/\n/g, " ") })}
        />
      </label>
      <FieldError errors={errors} field="name" />
      <div className="fg-row">
        <label>
          Caller{" "}
          <input
            data-testid="test-edit-caller"
            inputMode="tel"
            value={draft.caller}
            onChange={(e) => set({ ...draft, caller: e.target.value })}
          />
        </label>
        <label>
          Call time{" "}
          <input
            type="datetime-local"
            data-testid="test-edit-at"
            value={draft.at}
            onChange={(e) => set({ ...draft, at: e.target.value })}
          />
        </label>
      </div>
      <FieldError errors={errors} field="call.caller" />
      <FieldError errors={errors} field="call.at" />
    </fieldset>
  );
}

function Presses({
  draft,
  set,
  errors,
}: {
  draft: TestDraft;
  set: (d: TestDraft) => void;
  errors: Record<string, string>;
}) {
  const update = (i: number, change: Partial<TestDraft["presses"][number]>) =>
    set({ ...draft, presses: draft.presses.map((p, j) => (j === i ? { ...p, ...change } : p)) });
  return (
    <fieldset>
      <legend>Keys at each prompt</legend>
      {draft.presses.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: presses are edited by position
        <div key={i} className="fg-row" data-testid={`test-edit-press-${i}`}>
          <select
            aria-label={`Prompt ${i + 1}: what the caller does`}
            data-testid={`test-edit-press-${i}-kind`}
            value={p.kind}
            onChange={(e) => update(i, { kind: e.target.value as PressKind })}
          >
            <option value="digits">presses keys</option>
            <option value="hash">presses keys then #</option>
            <option value="none">presses nothing (no input)</option>
          </select>
          {p.kind !== "none" && (
            <input
              aria-label={`Prompt ${i + 1}: keys`}
              data-testid={`test-edit-press-${i}-digits`}
              value={p.digits}
              inputMode="numeric"
              onChange={(e) => update(i, { digits: e.target.value })}
            />
          )}
          <button
            type="button"
            aria-label={`Remove prompt ${i + 1}`}
            onClick={() => set({ ...draft, presses: draft.presses.filter((_, j) => j !== i) })}
          >
            ×
          </button>
          <FieldError errors={errors} field={`presses.${i}`} />
        </div>
      ))}
      <button
        type="button"
        data-testid="test-edit-add-press"
        onClick={() => set({ ...draft, presses: [...draft.presses, { kind: "digits", digits: "" }] })}
      >
        Add a prompt
      </button>
    </fieldset>
  );
}

function Lookups({
  draft,
  set,
  errors,
}: {
  draft: TestDraft;
  set: (d: TestDraft) => void;
  errors: Record<string, string>;
}) {
  if (!draft.lookups.length) return null;
  const update = (node: string, change: Partial<TestDraft["lookups"][number]>) =>
    set({ ...draft, lookups: draft.lookups.map((l) => (l.node === node ? { ...l, ...change } : l)) });
  return (
    <fieldset>
      <legend>HTTP lookups answer</legend>
      {draft.lookups.map((l) => (
        <div key={l.node} className="fg-row" data-testid={`test-edit-lookup-${l.node}`}>
          <label>
            {l.node}{" "}
            <select
              data-testid={`test-edit-lookup-${l.node}-kind`}
              value={l.kind}
              onChange={(e) => update(l.node, { kind: e.target.value as LookupKind })}
            >
              {LOOKUP_KINDS.map(([value, words]) => (
                <option key={value} value={value}>
                  {words}
                </option>
              ))}
            </select>
          </label>
          {l.kind === "row" && (
            <input
              aria-label={`${l.node}: the row`}
              data-testid={`test-edit-lookup-${l.node}-row`}
              placeholder="column=value, column=value"
              value={l.row}
              onChange={(e) => update(l.node, { row: e.target.value })}
            />
          )}
          <FieldError errors={errors} field={`lookups.${l.node}`} />
        </div>
      ))}
    </fieldset>
  );
}

function Expectation({
  draft,
  set,
  errors,
}: {
  draft: TestDraft;
  set: (d: TestDraft) => void;
  errors: Record<string, string>;
}) {
  return (
    <fieldset>
      <legend>The call must end</legend>
      <div className="fg-row">
        <select
          aria-label="Outcome"
          data-testid="test-edit-outcome"
          value={draft.outcome}
          onChange={(e) => set({ ...draft, outcome: e.target.value as TestDraft["outcome"] })}
        >
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o === "handoff" ? "hand-off" : o}
            </option>
          ))}
        </select>
        {draft.outcome === "transfer" && (
          <>
            <select
              aria-label="Transfer type"
              data-testid="test-edit-transfer"
              value={draft.transfer}
              onChange={(e) => set({ ...draft, transfer: e.target.value })}
            >
              <option value="">type…</option>
              {TRANSFER_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <input
              aria-label="Targets"
              data-testid="test-edit-targets"
              placeholder="targets, comma separated"
              value={draft.targets}
              onChange={(e) => set({ ...draft, targets: e.target.value })}
            />
          </>
        )}
        {draft.outcome === "handoff" && (
          <input
            aria-label="Dialplan id"
            data-testid="test-edit-dialplan"
            value={draft.dialplan}
            onChange={(e) => set({ ...draft, dialplan: e.target.value })}
          />
        )}
      </div>
      <FieldError errors={errors} field="expect.transfer" />
      <FieldError errors={errors} field="expect.targets" />
      <FieldError errors={errors} field="expect.dialplan" />
    </fieldset>
  );
}

export function TestEditor({
  test,
  lookupNodes,
  otherNames,
  onSave,
  onCancel,
}: {
  test: FlowTest;
  lookupNodes: readonly string[];
  /** The names of the flow's other tests (a name is unique). */
  otherNames: readonly string[];
  onSave: (test: FlowTest) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<TestDraft>(() => draftOf(test, lookupNodes));
  const errors = validateDraft(draft, otherNames);
  const count = Object.keys(errors).length;
  return (
    <form
      className="fg-test-editor"
      data-testid="test-editor"
      onSubmit={(e) => {
        e.preventDefault();
        if (!count) onSave(testOf(test, draft));
      }}
    >
      <CallFields draft={draft} set={setDraft} errors={errors} />
      <Presses draft={draft} set={setDraft} errors={errors} />
      <Lookups draft={draft} set={setDraft} errors={errors} />
      <Expectation draft={draft} set={setDraft} errors={errors} />
      <div className="fg-row">
        <button type="submit" data-testid="test-edit-save" disabled={count > 0}>
          Save test
        </button>
        <button type="button" data-testid="test-edit-cancel" onClick={onCancel}>
          Cancel
        </button>
        {count > 0 && (
          <span className="fg-help">{count === 1 ? "1 problem" : `${count} problems`} to fix</span>
        )}
      </div>
    </form>
  );
}
