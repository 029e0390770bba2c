// Reading a simulated journey for display: which events happened before the caller must press
// again, and which nodes/edges to light on the canvas.
import type { Flow, S } from "../api/types";
import { nodesOf } from "./ops";

/** One event of a simulated call (flowgraph.server.stage_models: a union told apart by `event`). */
export type JourneyEvent = S["JourneyOut"]["events"][number];
/** The events that play a recording. */
export type RecordingEvent = S["PlayEvent"] | S["PromptEvent"];

/**
 * Events the caller has lived through given `presses` so far: everything up to the first prompt
 * the script has no press for (that prompt is returned as `waiting`; the simulator would
 * otherwise treat it as "no input").
 */
export function visibleEvents(
  events: readonly JourneyEvent[],
  presses: number,
): {
  shown: JourneyEvent[];
  waiting: S["PromptEvent"] | null;
} {
  let prompts = 0;
  for (let i = 0; i < events.length; i += 1) {
    const e = events[i];
    if (e?.event === "prompt") {
      if (prompts === presses) return { shown: events.slice(0, i), waiting: e };
      prompts += 1;
    }
  }
  return { shown: [...events], waiting: null };
}

/** The path cut after the menu node where the caller is waiting (the `menus`-th menu visit, 0-based). */
export function pathUntilMenu(flow: Flow, path: readonly string[], menus: number): string[] {
  const types = new Map(nodesOf(flow).map((n) => [n.id, n.type]));
  let seen = 0;
  for (let i = 0; i < path.length; i += 1) {
    if (types.get(path[i] ?? "") === "menu") {
      if (seen === menus) return path.slice(0, i + 1);
      seen += 1;
    }
  }
  return [...path];
}

/** Edge ids (`source|branch`) along consecutive path nodes. */
export function pathEdges(flow: Flow, path: readonly string[]): string[] {
  const byId = new Map(nodesOf(flow).map((n) => [n.id, n]));
  const out: string[] = [];
  for (let i = 1; i < path.length; i += 1) {
    const from = byId.get(path[i - 1] ?? "");
    const to = path[i];
    const branch = Object.entries(from?.branches ?? {}).find(([, t]) => t === to)?.[0];
    if (from && branch) out.push(`${from.id}|${branch}`);
  }
  return out;
}

/** How many prompts that wait for keys (recordings with a `dtmf` block) one platform answer plays. */
export function promptsIn(response: string): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const rec = (v as { recording?: { dtmf?: unknown } }).recording;
      if (rec?.dtmf) n += 1;
    }
  };
  try {
    walk(JSON.parse(response));
  } catch {
    return 0;
  }
  return n;
}

/**
 * The platform requests the caller has lived through: while the call waits at the prompt after
 * `presses` key presses, the simulation's later requests (where it assumed no input) are not
 * shown; the request that played the waiting prompt is the last one.
 */
export function visibleExchanges<T extends { response: string }>(
  exchanges: readonly T[],
  presses: number,
  waiting: boolean,
): T[] {
  if (!waiting) return [...exchanges];
  let prompts = 0;
  for (let i = 0; i < exchanges.length; i += 1) {
    prompts += promptsIn((exchanges[i] as T).response);
    if (prompts > presses) return exchanges.slice(0, i + 1);
  }
  return [...exchanges];
}

function recordingText(e: RecordingEvent, names: ReadonlyMap<string, string>, unnamed: string): string {
  const name = names.get(e.data);
  return name ? `“${name}” (${e.data})` : unnamed;
}

/** The recording a prompt plays, by its catalogue name when it has one. */
export function promptText(e: RecordingEvent, names: ReadonlyMap<string, string> = new Map()): string {
  return recordingText(e, names, e.data);
}

/**
 * One readable line for an event (the server also sends `describe`; this one is for the live
 * list), naming recordings from the flow's catalogue when they are in it.
 */
export function eventLine(e: JourneyEvent, names: ReadonlyMap<string, string> = new Map()): string {
  switch (e.event) {
    case "play":
      return `Plays ${recordingText(e, names, `${e.type} recording ${e.data}`)}`;
    case "prompt":
      return `Prompt ${promptText(e, names)}: ${e.pressed == null ? "no input" : `pressed ${e.pressed}`}`;
    case "transfer":
      return `Transfer to ${e.type} ${e.targets.join(", ")} (${e.answered ? "answered" : "not answered"})`;
    case "handoff":
      return `Handed to API Dialplan ${e.dialplan_id}`;
    case "hangup":
      return "Call ends";
    case "failover":
      return `Failover (${e.reason})${e.detail ? `: ${e.detail}` : ""}`;
  }
}
