// Flow-wide settings, shown when nothing is selected: name, entry, failover destination,
// deployment mode and the recordings catalogue (ids uploaded to the portal, music-on-hold marked).
import type { Destination, Flow, Recording, TransferType } from "../api/types";
import { nodesOf } from "../graph/ops";
import { FieldErrors, ListEditor } from "../nodes/shared/fields";
import { useEditor } from "../store";
import { PlatformPanel } from "./PlatformPanel";

const TYPES: TransferType[] = ["number", "agent", "ivr", "auto_attendant", "department"];

function withSettings(f: Flow, patch: Partial<NonNullable<Flow["settings"]>>): Flow {
  return { ...f, settings: { ...(f.settings ?? {}), ...patch } };
}

function Failover({ flow }: { flow: Flow }) {
  const edit = useEditor((s) => s.edit);
  const errors = useEditor((s) => s.diagnostics).filter((d) => d.code === "FG401");
  const dest = flow.settings?.failover ?? null;
  const set = (failover: Destination | null, key?: string) =>
    edit((f) => withSettings(f, { failover: failover ?? undefined }), key);
  return (
    <fieldset className="fg-wiring" data-testid="failover">
      <legend>Failover destination</legend>
      <p className="fg-help">
        Where the platform sends a call when anything fails (set the same in the portal).
      </p>
      <label htmlFor="failover-type">Type</label>
      <select
        id="failover-type"
        data-testid="failover-type"
        value={dest?.type ?? ""}
        onChange={(e) =>
          set(e.target.value ? { type: e.target.value as TransferType, data: dest?.data ?? [""] } : null)
        }
      >
        <option value="">(none)</option>
        {TYPES.map((t) => (
          <option key={t} value={t}>
            {t.replace("_", " ")}
          </option>
        ))}
      </select>
      {dest && (
        <ListEditor
          label="failover target"
          testid="failover-targets"
          values={dest.data ?? []}
          onChange={(data) => set({ ...dest, data }, "failover")}
        />
      )}
      <FieldErrors errors={errors} />
    </fieldset>
  );
}

function Recordings({ flow }: { flow: Flow }) {
  const edit = useEditor((s) => s.edit);
  const list = flow.recordings ?? [];
  const set = (recordings: Recording[], key?: string) => edit((f) => ({ ...f, recordings }), key);
  const change = (i: number, patch: Partial<Recording>, key?: string) =>
    set(
      list.map((r, j) => (j === i ? { ...r, ...patch } : r)),
      key,
    );
  return (
    <fieldset className="fg-wiring" data-testid="recordings">
      <legend>Recordings catalogue</legend>
      {list.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place (the id is one of the fields)
        <div className="fg-list-row" key={i}>
          <input
            className="fg-rec-id"
            aria-label={`Recording ${i + 1} id`}
            data-testid={`recording-id-${i}`}
            value={r.id}
            placeholder="portal id"
            onChange={(e) => change(i, { id: e.target.value }, `rec:${i}:id`)}
          />
          <input
            aria-label={`Recording ${i + 1} name`}
            value={r.name ?? ""}
            placeholder="name"
            onChange={(e) => change(i, { name: e.target.value }, `rec:${i}:name`)}
          />
          <label>
            <input
              type="checkbox"
              checked={r.moh ?? false}
              onChange={(e) => change(i, { moh: e.target.checked })}
            />
            MoH
          </label>
          <button
            type="button"
            aria-label={`Remove recording ${i + 1}`}
            onClick={() => set(list.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button type="button" data-testid="recording-add" onClick={() => set([...list, { id: "", name: "" }])}>
        + Add recording
      </button>
    </fieldset>
  );
}

export function FlowPanel({ flow }: { flow: Flow }) {
  const edit = useEditor((s) => s.edit);
  const mode = flow.settings?.deployment?.mode ?? "per_step";
  return (
    <section className="fg-props" aria-label="Flow settings" data-testid="flow-settings">
      <h2>Flow settings</h2>
      <p className="fg-help">
        Select a node to edit it, or drag a node type from the palette onto the canvas.
      </p>
      <div className="fg-field">
        <label htmlFor="flow-name">Name</label>
        <input
          id="flow-name"
          value={flow.name ?? ""}
          onChange={(e) => edit((f) => ({ ...f, name: e.target.value }), "flow:name")}
        />
      </div>
      <div className="fg-field">
        <label htmlFor="flow-description">Description</label>
        <textarea
          id="flow-description"
          rows={2}
          value={flow.description ?? ""}
          onChange={(e) => edit((f) => ({ ...f, description: e.target.value }), "flow:description")}
        />
      </div>
      <div className="fg-field">
        <label htmlFor="flow-entry">Entry node</label>
        <select
          id="flow-entry"
          value={flow.entry}
          onChange={(e) => edit((f) => ({ ...f, entry: e.target.value }))}
        >
          <option value="">(none)</option>
          {nodesOf(flow).map((n) => (
            <option key={n.id} value={n.id}>
              {n.id}
            </option>
          ))}
        </select>
      </div>
      <Failover flow={flow} />
      <div className="fg-field">
        <label htmlFor="flow-mode">Deployment</label>
        <select
          id="flow-mode"
          value={mode}
          onChange={(e) =>
            edit((f) =>
              withSettings(f, {
                deployment: {
                  ...(f.settings?.deployment ?? {}),
                  mode: e.target.value as "per_step" | "single",
                },
              }),
            )
          }
        >
          <option value="per_step">one portal dialplan per step</option>
          <option value="single">one portal dialplan for the whole flow</option>
        </select>
      </div>
      <Recordings flow={flow} />
      <PlatformPanel flow={flow} />
    </section>
  );
}
