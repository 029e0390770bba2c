import type { LookupNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = {
  label: "Lookup",
  // Teal, as in the rendered pictures; the purple it had was too close to the menu's.
  colour: "#0f9f8f",
  help: "Find the caller in a table or ask your API",
};

export function create(id: string): LookupNode {
  return {
    id,
    type: "lookup",
    name: "",
    source: { kind: "table", table: "", key: "{{caller_id_number}}", match: "exact" },
    branches: {},
  };
}
