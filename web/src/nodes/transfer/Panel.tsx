import type { TransferNode, TransferType } from "../../api/types";
import { Field, ListEditor } from "../shared/fields";
import type { PanelProps } from "../shared/panel";

const TYPES: TransferType[] = ["number", "agent", "ivr", "auto_attendant", "department"];
const DEFAULT_RINGS = ["order_by", "simultaneous", "random", "round_robin"];

export function TransferPanel({ node, flow, update }: PanelProps<TransferNode>) {
  const rings = flow.settings?.profile?.ring_types ?? DEFAULT_RINGS;
  const moh = (flow.recordings ?? []).filter((r) => r.moh);
  return (
    <>
      <Field label="Transfer to" node={node.id} field="transfer">
        {(id) => (
          <select
            id={id}
            data-testid="transfer-type"
            value={node.transfer}
            onChange={(e) => update({ transfer: e.target.value as TransferType })}
          >
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t.replace("_", " ")}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Targets"
        node={node.id}
        field="targets"
        help="Numbers: 10 digits; only number and agent may hold several"
      >
        {() => (
          <ListEditor
            label="target"
            testid="transfer-targets"
            values={node.targets ?? []}
            onChange={(targets) => update({ targets }, "targets")}
          />
        )}
      </Field>
      <Field label="Ring strategy" node={node.id} field="ring_type">
        {(id) => (
          <select
            id={id}
            value={node.ring_type ?? ""}
            onChange={(e) => update({ ring_type: e.target.value || undefined })}
          >
            <option value="">platform default (order_by)</option>
            {rings.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Music on hold" node={node.id} field="moh">
        {(id) => (
          <select
            id={id}
            value={node.moh ?? ""}
            onChange={(e) => update({ moh: e.target.value || undefined })}
          >
            <option value="">none</option>
            {moh.map((r) => (
              <option key={r.id} value={r.id}>
                ♪ {r.name || r.id}
              </option>
            ))}
            {node.moh && !moh.some((r) => r.id === node.moh) && <option value={node.moh}>{node.moh}</option>}
          </select>
        )}
      </Field>
      <Field label="Skip agents already on a call" node={node.id} field="skip_active">
        {(id) => (
          <input
            id={id}
            type="checkbox"
            checked={node.skip_active ?? false}
            onChange={(e) => update({ skip_active: e.target.checked })}
          />
        )}
      </Field>
    </>
  );
}
