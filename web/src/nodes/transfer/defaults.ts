import type { TransferNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = {
  label: "Transfer",
  colour: "#27ae60",
  help: "Ring numbers, agents or an IVR",
};

export function create(id: string): TransferNode {
  return { id, type: "transfer", name: "", transfer: "number", targets: [""], branches: {} };
}
