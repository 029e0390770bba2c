// Journey events for unit tests, complete as the server sends them (types from schema.d.ts), so a
// test names only what it is about.
import type { S } from "../api/types";

export const ev = {
  play: (data: string, type = "system"): S["PlayEvent"] => ({ event: "play", type, data }),
  prompt: (data: string, pressed: string | null, type = "system"): S["PromptEvent"] => ({
    event: "prompt",
    type,
    data,
    timeout_ms: 5000,
    max_length: 1,
    retry: 0,
    pressed,
  }),
  transfer: (type: string, targets: string[], answered: boolean): S["TransferEvent"] => ({
    event: "transfer",
    type,
    targets,
    ring_type: "order_by",
    moh: null,
    skip_active: false,
    answered,
  }),
  handoff: (dialplan_id: string): S["HandoffEvent"] => ({ event: "handoff", dialplan_id }),
  hangup: (): S["HangupEvent"] => ({ event: "hangup" }),
  failover: (reason: string): S["FailoverEvent"] => ({ event: "failover", reason, destination: null }),
};
