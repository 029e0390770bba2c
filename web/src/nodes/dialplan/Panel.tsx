import type { DialplanNode } from "../../api/types";
import { Field, TextInput } from "../shared/fields";
import type { PanelProps } from "../shared/panel";

export function DialplanPanel({ node, update }: PanelProps<DialplanNode>) {
  return (
    <Field
      label="Portal API Dialplan id"
      node={node.id}
      field="dialplan_id"
      help="The hex id the portal shows for the dialplan to hand the call to"
    >
      {(id) => (
        <TextInput
          id={id}
          value={node.dialplan_id ?? ""}
          placeholder="66ab41c183715fc7da"
          onChange={(dialplan_id) => update({ dialplan_id }, "dialplan_id")}
        />
      )}
    </Field>
  );
}
