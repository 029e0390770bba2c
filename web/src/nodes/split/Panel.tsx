import type { SplitArm, SplitNode } from "../../api/types";
import { Field, TextInput } from "../shared/fields";
import type { PanelProps } from "../shared/panel";

/** The arms' shares added up (the server refuses anything but 100 with FG108, shown below). */
export function totalShare(arms: readonly SplitArm[]): number {
  return arms.reduce((sum, a) => sum + (a.share ?? 0), 0);
}

export function SplitPanel({ node, update }: PanelProps<SplitNode>) {
  const arms = node.arms ?? [];
  const set = (next: SplitArm[]) => update({ arms: next }, "arms");
  const edit = (i: number, patch: Partial<SplitArm>) =>
    set(arms.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  return (
    <div className="fg-cases">
      <p className="fg-help">
        Each caller takes one branch, the same every time they call (by their number); callers whose number is
        withheld take the first. Shares add up to 100 — now {totalShare(arms)}%.
      </p>
      <Field label="Arms" node={node.id} field="arms">
        {() => null}
      </Field>
      {arms.map((a, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: arms are edited in place; a branch-name key would remount while typing
        <fieldset key={i} className="fg-case" data-testid={`arm-${i}`}>
          <legend>Arm {i + 1}</legend>
          <Field label="Branch name" node={node.id} field={`arms[${i}].branch`}>
            {(id) => <TextInput id={id} value={a.branch} onChange={(branch) => edit(i, { branch })} />}
          </Field>
          <Field label="Share (%)" node={node.id} field={`arms[${i}].share`}>
            {(id) => (
              <input
                id={id}
                type="number"
                min={0}
                max={100}
                value={a.share}
                data-testid={`arm-${i}-share`}
                onChange={(e) => edit(i, { share: Math.max(0, Math.min(100, Number(e.target.value) || 0)) })}
              />
            )}
          </Field>
          <button type="button" onClick={() => set(arms.filter((_, j) => j !== i))}>
            Remove arm {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => set([...arms, { branch: `arm_${arms.length + 1}`, share: 0 }])}>
        Add arm
      </button>
    </div>
  );
}
