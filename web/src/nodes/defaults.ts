// Node defaults and palette metadata by type, without React (used by the store and unit tests).
import type { FlowNode, NodeType } from "../api/types";
import * as dialplan from "./dialplan/defaults";
import * as hangup from "./hangup/defaults";
import * as lookup from "./lookup/defaults";
import * as menu from "./menu/defaults";
import type { NodeMeta } from "./meta";
import * as play from "./play/defaults";
import * as split from "./split/defaults";
import * as sw from "./switch/defaults";
import * as transfer from "./transfer/defaults";

interface Defaults {
  meta: NodeMeta;
  create(id: string): FlowNode;
}

export const NODE_DEFAULTS: Record<NodeType, Defaults> = {
  play,
  menu,
  transfer,
  dialplan,
  switch: sw,
  lookup,
  split,
  hangup,
};

/** A fresh node of `type` with the given id. */
export function createNode(type: NodeType, id: string): FlowNode {
  return NODE_DEFAULTS[type].create(id);
}
