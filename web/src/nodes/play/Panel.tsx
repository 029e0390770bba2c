import type { PlayNode } from "../../api/types";
import { RecordingPicker } from "../shared/fields";
import type { PanelProps } from "../shared/panel";

export function PlayPanel({ node, flow, update }: PanelProps<PlayNode>) {
  return (
    <RecordingPicker
      node={node.id}
      value={node.recording}
      recordings={flow.recordings ?? []}
      onChange={(recording) => update({ recording }, "recording")}
    />
  );
}
