import type { LookupNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = {
  label: "Lookup",
  colour: "#bb6bd9",
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
