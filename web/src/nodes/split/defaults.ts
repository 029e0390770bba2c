import type { SplitNode } from "../../api/types";
import type { NodeMeta } from "../meta";

export const meta: NodeMeta = {
  label: "Split",
  colour: "#ec4899",
  help: "Send a share of callers down each branch (A/B test); a caller always takes the same one",
};

export function create(id: string): SplitNode {
  return {
    id,
    type: "split",
    name: "",
    arms: [
      { branch: "a", share: 50 },
      { branch: "b", share: 50 },
    ],
    branches: {},
  };
}
