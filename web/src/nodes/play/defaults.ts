import type { PlayNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = { label: "Play", colour: "#2f80ed", help: "Play a recording, then continue" };

export function create(id: string): PlayNode {
  return { id, type: "play", name: "", recording: { type: "system", data: "" }, branches: {} };
}
