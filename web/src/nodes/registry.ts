// Node type -> canvas component, property panel, defaults. Adding a node type = one folder + one line.
import type { NodeProps } from "@xyflow/react";
import type { ComponentType } from "react";
import type { FlowNode, NodeType } from "../api/types";
import { DialplanCanvasNode } from "./dialplan/Node";
import { DialplanPanel } from "./dialplan/Panel";
import { HangupCanvasNode } from "./hangup/Node";
import { HangupPanel } from "./hangup/Panel";
import { LookupCanvasNode } from "./lookup/Node";
import { LookupPanel } from "./lookup/Panel";
import { MenuCanvasNode } from "./menu/Node";
import { MenuPanel } from "./menu/Panel";
import { NoteCanvasNode } from "./note/Node";
import { PlayCanvasNode } from "./play/Node";
import { PlayPanel } from "./play/Panel";
import type { PanelProps } from "./shared/panel";
import { SplitCanvasNode } from "./split/Node";
import { SplitPanel } from "./split/Panel";
import { SwitchCanvasNode } from "./switch/Node";
import { SwitchPanel } from "./switch/Panel";
import { TransferCanvasNode } from "./transfer/Node";
import { TransferPanel } from "./transfer/Panel";

export const CANVAS_NODES: Record<NodeType | "note", ComponentType<NodeProps>> = {
  play: PlayCanvasNode,
  menu: MenuCanvasNode,
  transfer: TransferCanvasNode,
  dialplan: DialplanCanvasNode,
  switch: SwitchCanvasNode,
  lookup: LookupCanvasNode,
  split: SplitCanvasNode,
  hangup: HangupCanvasNode,
  note: NoteCanvasNode,
};

// Each panel takes its own node type; the registry looks them up by the node's type.
export const PANELS: Record<NodeType, ComponentType<PanelProps<never>>> = {
  play: PlayPanel,
  menu: MenuPanel,
  transfer: TransferPanel,
  dialplan: DialplanPanel,
  switch: SwitchPanel,
  lookup: LookupPanel,
  split: SplitPanel,
  hangup: HangupPanel,
};

export function panelFor(node: FlowNode): ComponentType<PanelProps> {
  return PANELS[node.type] as unknown as ComponentType<PanelProps>;
}
