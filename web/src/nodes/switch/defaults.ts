import type { SwitchNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = {
  label: "Switch",
  colour: "#56ccf2",
  help: "Decide by caller, dialled number, time or variable",
};

export function create(id: string): SwitchNode {
  return {
    id,
    type: "switch",
    name: "",
    cases: [{ branch: "office_hours", when: { on: "time", from: "09:00", to: "18:00" } }],
    branches: {},
  };
}
