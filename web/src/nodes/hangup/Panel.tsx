import type { HangupNode } from "../../api/types";
import type { PanelProps } from "../shared/panel";

export function HangupPanel(_: PanelProps<HangupNode>) {
  return (
    <p className="fg-help">Ends the call. The platform has no documented hang-up action; see the warning.</p>
  );
}
