// Labelled inputs for property panels. Every input has a visible label and shows the server's
// diagnostics for its field underneath (the editor never re-implements validation).
import { type ReactNode, useId } from "react";
import type { Diagnostic, Recording, RecordingRef } from "../../api/types";
import { adviceOf, fieldDiagnostics } from "../../graph/diagnostics";
import { useEditor } from "../../store";

/** Diagnostics for `field` of node `node` from the latest check. */
export function useFieldErrors(node: string, field: string): Diagnostic[] {
  const index = useEditor((s) => s.index);
  return fieldDiagnostics(index, node, field);
}

export function FieldErrors({ errors }: { errors: Diagnostic[] }) {
  if (!errors.length) return null;
  return (
    <ul className="fg-field-errors" role="alert">
      {errors.map((d) => (
        <li
          key={`${d.code}-${d.message}`}
          className={`sev-${d.severity}`}
          data-testid={`field-error-${d.code}`}
        >
          {d.message}
          {adviceOf(d) ? <span className="fg-hint"> {adviceOf(d)}</span> : null}
        </li>
      ))}
    </ul>
  );
}

interface FieldProps {
  label: string;
  node: string;
  field: string;
  children: (id: string) => ReactNode;
  help?: string;
}

/** A label, an input (rendered by `children` with the input's id) and the field's errors. */
export function Field({ label, node, field, children, help }: FieldProps) {
  const id = useId();
  const errors = useFieldErrors(node, field);
  return (
    <div className={`fg-field${errors.length ? " has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {help && <div className="fg-help">{help}</div>}
      <FieldErrors errors={errors} />
    </div>
  );
}

export function TextInput(props: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  testid?: string;
}) {
  return (
    <input
      id={props.id}
      type="text"
      value={props.value}
      placeholder={props.placeholder}
      data-testid={props.testid}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

/** A number input where empty means "not set" (the platform default applies). */
export function OptionalNumber(props: {
  id: string;
  value: number | null | undefined;
  onChange: (v: number | undefined) => void;
  placeholder?: string;
}) {
  return (
    <input
      id={props.id}
      type="number"
      value={props.value ?? ""}
      placeholder={props.placeholder}
      onChange={(e) => props.onChange(e.target.value === "" ? undefined : Number(e.target.value))}
    />
  );
}

/** Edit a list of short strings (targets, digit options, numbers). */
export function ListEditor(props: {
  label: string;
  values: string[];
  onChange: (v: string[]) => void;
  placeholder?: string;
  testid: string;
}) {
  const { values, onChange } = props;
  return (
    <div className="fg-list" data-testid={props.testid}>
      {values.map((v, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: items are plain strings edited in place
        <div className="fg-list-row" key={i}>
          <input
            aria-label={`${props.label} ${i + 1}`}
            value={v}
            placeholder={props.placeholder}
            data-testid={`${props.testid}-${i}`}
            onChange={(e) => onChange(values.map((x, j) => (j === i ? e.target.value : x)))}
          />
          <button
            type="button"
            aria-label={`Remove ${props.label} ${i + 1}`}
            onClick={() => onChange(values.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button type="button" data-testid={`${props.testid}-add`} onClick={() => onChange([...values, ""])}>
        + Add {props.label}
      </button>
    </div>
  );
}

/** Pick a recording from the flow's catalogue (music-on-hold marked) or type an id / URL. */
export function RecordingPicker(props: {
  node: string;
  value: RecordingRef;
  recordings: Recording[];
  onChange: (v: RecordingRef) => void;
}) {
  const { value, recordings, onChange, node } = props;
  const listId = useId();
  return (
    <>
      <Field label="Recording source" node={node} field="recording.type">
        {(id) => (
          <select
            id={id}
            value={value.type ?? "system"}
            onChange={(e) => onChange({ ...value, type: e.target.value as "system" | "url" })}
          >
            <option value="system">System recording (portal id)</option>
            <option value="url">Audio file URL</option>
          </select>
        )}
      </Field>
      <Field
        label={value.type === "url" ? "Audio URL" : "Recording"}
        node={node}
        field="recording.data"
        help={
          value.type === "url" ? undefined : "Pick from the flow's catalogue or type a portal recording id"
        }
      >
        {(id) => (
          <>
            {value.type !== "url" && recordings.length > 0 && (
              <select
                aria-label="Recording from the catalogue"
                data-testid="recording-select"
                value={recordings.some((r) => r.id === value.data) ? value.data : ""}
                onChange={(e) => e.target.value && onChange({ ...value, data: e.target.value })}
              >
                <option value="">Choose from the catalogue…</option>
                {recordings.map((r) => (
                  <option key={r.id} value={r.id}>
                    {`${r.name || r.id} (${r.id})${r.moh ? " ♪ music on hold" : ""}`}
                  </option>
                ))}
              </select>
            )}
            <input
              id={id}
              list={value.type === "url" ? undefined : listId}
              value={value.data}
              data-testid="recording-input"
              onChange={(e) => onChange({ ...value, data: e.target.value })}
            />
            <datalist id={listId}>
              {recordings.map((r) => (
                <option key={r.id} value={r.id}>
                  {`${r.name || r.id}${r.moh ? " (music on hold)" : ""}`}
                </option>
              ))}
            </datalist>
          </>
        )}
      </Field>
    </>
  );
}
