// The date rules of a switch's time case: `except` (leave these dates out: holidays) and `only`
// (keep to these dates), each a list of dates and/or a holiday calendar picked from the flow's
// tables and the server's, and what the case does when the calendar cannot be read.
import { useState } from "react";
import type { Flow, Table } from "../../api/types";
import { Field, ListEditor } from "../shared/fields";
import { useServerTables } from "../shared/serverTables";
import {
  adoptCalendar,
  type CalendarChoice,
  calendarChoices,
  type DateKind,
  type DateRule,
  dateProblem,
  isDate,
  type TimeCondition,
  withRule,
} from "./dates";

type Tables = Record<string, Table> | undefined;

const KIND_LABEL: Record<DateKind, string> = {
  except: "Leave out dates (except: holidays)",
  only: "Only on dates (only)",
};

interface RuleProps {
  kind: DateKind;
  rule: DateRule;
  base: string;
  node: string;
  testid: string;
  choices: CalendarChoice[];
  onChange: (rule: DateRule, calendar?: CalendarChoice) => void;
}

/** Listed dates: every row is checked as typed; the flow gets the list once every row is a date. */
function DatesEditor({ rule, testid, onChange }: Pick<RuleProps, "rule" | "testid" | "onChange">) {
  const [draft, setDraft] = useState<string[] | null>(null);
  const shown = draft ?? rule.dates ?? [];
  const problems = shown.map(dateProblem).filter((p): p is string => p !== null);
  return (
    <>
      <ListEditor
        label="date"
        placeholder="YYYY-MM-DD"
        testid={testid}
        values={shown}
        onChange={(dates) => {
          if (dates.every(isDate)) {
            setDraft(null);
            onChange({ ...rule, dates });
          } else setDraft(dates);
        }}
      />
      {problems.length > 0 && (
        <ul className="fg-field-errors" role="alert" data-testid={`${testid}-problems`}>
          {problems.map((p) => (
            <li key={p} className="sev-error">
              {p} (not saved until fixed)
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function RuleEditor({ kind, rule, base, node, testid, choices, onChange }: RuleProps) {
  const field = `${base}.${kind}`;
  const known = choices.some((c) => c.name === rule.calendar);
  return (
    <div className="fg-date-rule" data-testid={testid}>
      <DatesEditor rule={rule} testid={`${testid}-dates`} onChange={onChange} />
      <Field label="Calendar" node={node} field={`${field}.calendar`}>
        {(id) => (
          <select
            id={id}
            data-testid={`${testid}-calendar`}
            value={rule.calendar ?? ""}
            onChange={(e) => {
              const name = e.target.value;
              onChange(
                { ...rule, calendar: name },
                choices.find((c) => c.name === name),
              );
            }}
          >
            <option value="">(no calendar)</option>
            {rule.calendar && !known && <option value={rule.calendar}>{rule.calendar} (not found)</option>}
            {choices.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.where === "flow" ? "in this flow" : "server table"})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="If the calendar cannot be read"
        node={node}
        field={`${field}.unavailable`}
        help="A missing, empty or broken calendar is skipped: by default the hours decide (fail open)."
      >
        {(id) => (
          <select
            id={id}
            data-testid={`${testid}-unavailable`}
            value={rule.unavailable ?? "hours"}
            onChange={(e) => onChange({ ...rule, unavailable: e.target.value as DateRule["unavailable"] })}
          >
            <option value="hours">hours decide</option>
            <option value="no_match">no match</option>
          </select>
        )}
      </Field>
    </div>
  );
}

/** Both date rules of time case `i`; picking a server table the flow lacks declares it. */
export function DateRules(props: {
  w: TimeCondition;
  i: number;
  node: string;
  flow: Flow;
  onChange: (w: TimeCondition) => void;
  editFlow: (fn: (f: Flow) => Flow, key?: string) => void;
}) {
  const { w, i, node, flow, onChange, editFlow } = props;
  const choices = calendarChoices(flow.tables as Tables, useServerTables());
  const base = `cases[${i}].when`;
  return (
    <>
      {(["except", "only"] as const).map((kind) => {
        const rule = w[kind];
        const testid = `case-${i}-${kind}`;
        return (
          <fieldset key={kind} className="fg-dates" aria-label={KIND_LABEL[kind]}>
            <legend>
              <label>
                <input
                  type="checkbox"
                  data-testid={`${testid}-on`}
                  checked={Boolean(rule)}
                  onChange={(e) => onChange(withRule(w, kind, e.target.checked ? { dates: [] } : null))}
                />
                {KIND_LABEL[kind]}
              </label>
            </legend>
            {rule && (
              <RuleEditor
                kind={kind}
                rule={rule}
                base={base}
                node={node}
                testid={testid}
                choices={choices}
                onChange={(next, picked) => {
                  if (adoptCalendar(flow.tables as Tables, picked)) {
                    editFlow((f) => ({
                      ...f,
                      tables: adoptCalendar(f.tables as Tables, picked) ?? f.tables,
                    }));
                  }
                  onChange(withRule(w, kind, next));
                }}
              />
            )}
          </fieldset>
        );
      })}
    </>
  );
}
