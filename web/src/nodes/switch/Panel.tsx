import type { Flow, SwitchCase, SwitchNode } from "../../api/types";
import { WEEKDAYS } from "../../graph/specs.gen";
import { Field, ListEditor, TextInput } from "../shared/fields";
import type { PanelProps } from "../shared/panel";
import { DateRules } from "./DateRules";

type On = SwitchCase["when"]["on"];

/** A fresh condition of a kind, keeping nothing from the previous kind. */
function blankCondition(on: On): SwitchCase["when"] {
  switch (on) {
    case "time":
      return { on, from: "09:00", to: "18:00" };
    case "variable":
      return { on, variable: "", values: [""] };
    case "table":
      return { on, table: "", key: "{{caller_id_number}}" };
    default:
      return { on, numbers: [], prefixes: [] };
  }
}

interface CaseProps {
  c: SwitchCase;
  i: number;
  node: string;
  flow: Flow;
  onChange: (c: SwitchCase) => void;
  editFlow: PanelProps["editFlow"];
}

function CaseEditor(props: CaseProps) {
  const { c, i, node, onChange } = props;
  const w = c.when;
  const base = `cases[${i}]`;
  return (
    <fieldset className="fg-case" data-testid={`case-${i}`}>
      <legend>Case {i + 1}</legend>
      <Field label="Branch name" node={node} field={`${base}.branch`}>
        {(id) => <TextInput id={id} value={c.branch} onChange={(branch) => onChange({ ...c, branch })} />}
      </Field>
      <Field label="When" node={node} field={`${base}.when`}>
        {(id) => (
          <select
            id={id}
            value={w.on}
            onChange={(e) => onChange({ ...c, when: blankCondition(e.target.value as On) })}
          >
            <option value="caller">caller number</option>
            <option value="dialled">dialled number</option>
            <option value="time">time of day</option>
            <option value="variable">variable value</option>
            <option value="table">caller in a table</option>
          </select>
        )}
      </Field>
      {(w.on === "caller" || w.on === "dialled") && (
        <>
          <ListEditor
            label="number"
            testid={`case-${i}-numbers`}
            values={w.numbers ?? []}
            onChange={(numbers) => onChange({ ...c, when: { ...w, numbers } })}
          />
          <ListEditor
            label="prefix"
            testid={`case-${i}-prefixes`}
            values={w.prefixes ?? []}
            onChange={(prefixes) => onChange({ ...c, when: { ...w, prefixes } })}
          />
        </>
      )}
      {w.on === "time" && (
        <>
          <Field label="From (HH:MM)" node={node} field={`${base}.when.from`}>
            {(id) => (
              <TextInput
                id={id}
                value={w.from}
                onChange={(from) => onChange({ ...c, when: { ...w, from } })}
              />
            )}
          </Field>
          <Field label="To (HH:MM)" node={node} field={`${base}.when.to`}>
            {(id) => (
              <TextInput id={id} value={w.to} onChange={(to) => onChange({ ...c, when: { ...w, to } })} />
            )}
          </Field>
          <fieldset className="fg-days" aria-label="Days">
            {WEEKDAYS.map((d) => {
              const days = w.days ?? [...WEEKDAYS];
              return (
                <label key={d}>
                  <input
                    type="checkbox"
                    checked={days.includes(d)}
                    onChange={(e) => {
                      const next = e.target.checked ? [...days, d] : days.filter((x) => x !== d);
                      onChange({ ...c, when: { ...w, days: WEEKDAYS.filter((x) => next.includes(x)) } });
                    }}
                  />
                  {d}
                </label>
              );
            })}
          </fieldset>
          <DateRules
            w={w}
            i={i}
            node={node}
            flow={props.flow}
            editFlow={props.editFlow}
            onChange={(when) => onChange({ ...c, when })}
          />
        </>
      )}
      {w.on === "variable" && (
        <>
          <Field label="Variable (e.g. lookup.tier)" node={node} field={`${base}.when.variable`}>
            {(id) => (
              <TextInput
                id={id}
                value={w.variable}
                onChange={(variable) => onChange({ ...c, when: { ...w, variable } })}
              />
            )}
          </Field>
          <ListEditor
            label="value"
            testid={`case-${i}-values`}
            values={w.values ?? []}
            onChange={(values) => onChange({ ...c, when: { ...w, values } })}
          />
        </>
      )}
      {w.on === "table" && (
        <>
          <Field label="Table" node={node} field={`${base}.when.table`}>
            {(id) => (
              <TextInput
                id={id}
                value={w.table}
                onChange={(table) => onChange({ ...c, when: { ...w, table } })}
              />
            )}
          </Field>
          <Field label="Key" node={node} field={`${base}.when.key`}>
            {(id) => (
              <TextInput
                id={id}
                value={w.key ?? ""}
                onChange={(key) => onChange({ ...c, when: { ...w, key } })}
              />
            )}
          </Field>
        </>
      )}
    </fieldset>
  );
}

export function SwitchPanel({ node, flow, update, editFlow }: PanelProps<SwitchNode>) {
  const cases = node.cases ?? [];
  const set = (next: SwitchCase[]) => update({ cases: next }, "cases");
  return (
    <div className="fg-cases">
      <p className="fg-help">The first matching case wins; otherwise the call takes “default”.</p>
      {cases.map((c, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: cases are edited in place; a branch-name key would remount while typing
        <div key={i}>
          <CaseEditor
            c={c}
            i={i}
            node={node.id}
            flow={flow}
            editFlow={editFlow}
            onChange={(nc) => set(cases.map((x, j) => (j === i ? nc : x)))}
          />
          <button type="button" onClick={() => set(cases.filter((_, j) => j !== i))}>
            Remove case {i + 1}
          </button>
        </div>
      ))}
      <button
        type="button"
        data-testid="switch-add-case"
        onClick={() =>
          set([...cases, { branch: `case_${cases.length + 1}`, when: blankCondition("caller") }])
        }
      >
        + Add case
      </button>
    </div>
  );
}
