// Names for the generated API types (src/api/schema.d.ts comes from `flowgraph openapi`).
import type { components } from "./schema";

export type S = components["schemas"];

export type Flow = S["Flow"];
export type FlowNode = NonNullable<Flow["nodes"]>[number];
export type NodeType = FlowNode["type"];
export type PlayNode = S["PlayNode"];
export type MenuNode = S["MenuNode"];
export type TransferNode = S["TransferNode"];
export type DialplanNode = S["DialplanNode"];
export type SwitchNode = S["SwitchNode"];
export type LookupNode = S["LookupNode"];
export type HangupNode = S["HangupNode"];
export type SplitNode = S["SplitNode"];
export type SplitArm = S["SplitArm"];
export type SwitchCase = S["SwitchCase"];
export type Recording = S["Recording"];
export type RecordingRef = S["RecordingRef"];
export type Table = S["Table"];
export type Note = S["Note"];
export type Position = S["Position"];
export type Layout = S["Layout"];
export type Destination = S["Destination"];
export type TransferType = TransferNode["transfer"];

/** A diagnostic as the server sends it (flowgraph.diagnostics.Diagnostic.to_json). */
export type Diagnostic = S["DiagnosticOut"];

/** The node types in palette order (generated from flowgraph/specs.py). */
export { NODE_TYPES } from "../graph/specs.gen";
