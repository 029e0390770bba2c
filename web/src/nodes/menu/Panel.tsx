import type { MenuNode } from "../../api/types";
import { Field, ListEditor, OptionalNumber, RecordingPicker } from "../shared/fields";
import type { PanelProps } from "../shared/panel";

export function MenuPanel({ node, flow, update }: PanelProps<MenuNode>) {
  const profile = flow.settings?.profile;
  return (
    <>
      <RecordingPicker
        node={node.id}
        value={node.recording}
        recordings={flow.recordings ?? []}
        onChange={(recording) => update({ recording }, "recording")}
      />
      <Field label="Digit options (one branch each)" node={node.id} field="options">
        {() => (
          <ListEditor
            label="option"
            testid="menu-options"
            values={node.options ?? []}
            placeholder="e.g. 1"
            onChange={(options) => update({ options }, "options")}
          />
        )}
      </Field>
      <Field label="Digit timeout (ms)" node={node.id} field="timeout_ms">
        {(id) => (
          <OptionalNumber
            id={id}
            value={node.timeout_ms}
            placeholder={String(profile?.dtmf_timeout_ms ?? 5000)}
            onChange={(timeout_ms) => update({ timeout_ms }, "timeout")}
          />
        )}
      </Field>
      <Field label="Most digits" node={node.id} field="max_length">
        {(id) => (
          <OptionalNumber
            id={id}
            value={node.max_length}
            placeholder={String(profile?.dtmf_max_length ?? 10)}
            onChange={(max_length) => update({ max_length }, "maxlen")}
          />
        )}
      </Field>
      <Field label="Retries" node={node.id} field="retry">
        {(id) => (
          <OptionalNumber
            id={id}
            value={node.retry}
            placeholder={String(profile?.dtmf_retry ?? 0)}
            onChange={(retry) => update({ retry }, "retry")}
          />
        )}
      </Field>
    </>
  );
}
