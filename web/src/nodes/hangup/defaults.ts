import type { HangupNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = { label: "Hang up", colour: "#828282", help: "End the call" };

export function create(id: string): HangupNode {
  return { id, type: "hangup", name: "", branches: {} };
}
