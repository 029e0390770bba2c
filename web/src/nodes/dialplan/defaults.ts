import type { DialplanNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = {
  label: "Dialplan",
  colour: "#f2994a",
  help: "Hand the call to a portal API Dialplan (one nesting level)",
};

export function create(id: string): DialplanNode {
  return { id, type: "dialplan", name: "", dialplan_id: "", branches: {} };
}
