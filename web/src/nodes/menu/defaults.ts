import type { MenuNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = { label: "Menu", colour: "#9b51e0", help: "Play a prompt and collect digits" };

export function create(id: string): MenuNode {
  return {
    id,
    type: "menu",
    name: "",
    recording: { type: "system", data: "" },
    options: ["1", "2"],
    max_length: 1,
    branches: {},
  };
}
