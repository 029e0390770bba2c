// Try a call without a phone: caller, dialled number and time; press keys on a keypad (or "no
// input"); the path lights up on the canvas and every event is listed, with the exact platform JSON
// of each request.
import { useEffect, useRef, useState } from "react";
import { request } from "../api/client";
import type { S } from "../api/types";
import {
  eventLine,
  type JourneyEvent,
  pathEdges,
  pathUntilMenu,
  promptText,
  visibleEvents,
  visibleExchanges,
} from "../graph/journey";
import { useEditor } from "../store";
import { saveNow } from "./hooks";

type Journey = S["JourneyOut"];

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const STEP_MS = 180;

function nowLocal(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/** Light the path node by node so the user sees the order the call took. */
function useAnimatePath(path: string[]) {
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    const s = useEditor.getState();
    const flow = s.flow;
    if (!flow) return;
    let i = 0;
    window.clearInterval(timer.current);
    timer.current = window.setInterval(() => {
      i += 1;
      const lit = path.slice(0, i);
      useEditor.getState().setLit(lit, pathEdges(flow, lit));
      if (i >= path.length) window.clearInterval(timer.current);
    }, STEP_MS);
    return () => window.clearInterval(timer.current);
  }, [path]);
  useEffect(() => () => useEditor.getState().setLit([], []), []);
}

export function SimulatorPanel() {
  const flowId = useEditor((s) => s.flowId) ?? "";
  const flow = useEditor((s) => s.flow);
  const [caller, setCaller] = useState("9812345678");
  const [dialled, setDialled] = useState("9000000000");
  const [start, setStart] = useState(nowLocal);
  const [presses, setPresses] = useState<(string | null)[] | null>(null);
  const [journey, setJourney] = useState<Journey | null>(null);
  const [error, setError] = useState("");

  const run = async (next: (string | null)[]) => {
    setError("");
    setPresses(next);
    try {
      if (!(await saveNow())) throw new Error("Save the draft first (see the save status).");
      const body = { caller, dialled, start: `${start}:00`, presses: next };
      setJourney(
        (await request("POST", `/api/flows/${encodeURIComponent(flowId)}/simulate`, body)).body as Journey,
      );
    } catch (err) {
      setJourney(null);
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const view = journey ? visibleEvents(journey.events as JourneyEvent[], presses?.length ?? 0) : null;
  const path =
    journey && flow && view?.waiting
      ? pathUntilMenu(flow, journey.path, presses?.length ?? 0)
      : (journey?.path ?? []);
  useAnimatePath(path);
  const exchanges = journey
    ? visibleExchanges(journey.exchanges ?? [], presses?.length ?? 0, Boolean(view?.waiting))
    : [];
  const names = new Map((flow?.recordings ?? []).filter((r) => r.name).map((r) => [r.id, r.name ?? ""]));
  const press = (k: string | null) => void run([...(presses ?? []), k]);

  return (
    <div className="fg-sim" data-testid="simulator">
      <div className="fg-field">
        <label htmlFor="sim-caller">Caller number</label>
        <input id="sim-caller" value={caller} onChange={(e) => setCaller(e.target.value)} />
      </div>
      <div className="fg-field">
        <label htmlFor="sim-dialled">Dialled number</label>
        <input id="sim-dialled" value={dialled} onChange={(e) => setDialled(e.target.value)} />
      </div>
      <div className="fg-field">
        <label htmlFor="sim-time">Call time</label>
        <input id="sim-time" type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
      </div>
      <button type="button" data-testid="sim-start" onClick={() => void run([])}>
        {presses === null ? "Start call" : "Restart call"}
      </button>
      <fieldset className="fg-keypad" aria-label="Keypad">
        {KEYS.map((k) => (
          <button
            key={k}
            type="button"
            data-testid={`key-${k}`}
            disabled={!view?.waiting}
            onClick={() => press(k)}
          >
            {k}
          </button>
        ))}
        <button
          type="button"
          className="fg-noinput"
          data-testid="key-none"
          disabled={!view?.waiting}
          onClick={() => press(null)}
        >
          No input
        </button>
      </fieldset>
      {error && <p role="alert">{error}</p>}
      {view && (
        <ol className="fg-events" data-testid="sim-events" aria-live="polite">
          {view.shown.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: events are an ordered, replaced-as-a-whole list
            <li key={i} className={`ev-${e.event}`}>
              {eventLine(e, names)}
            </li>
          ))}
          {view.waiting && (
            <li className="ev-waiting">
              Waiting: the caller hears {promptText(view.waiting, names)} — press a key or “No input”
            </li>
          )}
        </ol>
      )}
      {journey && <p className="fg-help">Path: {path.join(" → ")}</p>}
      {exchanges.map((x, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: ordered requests of one call
        <details key={i} className="fg-exchange">
          <summary>
            Request {i + 1}: {x.step ?? x.dialplan_id}
          </summary>
          <p className="fg-help">The platform sends</p>
          <pre data-testid={`sim-request-${i}`}>{JSON.stringify(x.variables, null, 1)}</pre>
          <p className="fg-help">flowgraph answers</p>
          <pre data-testid={`sim-json-${i}`}>{x.response}</pre>
        </details>
      ))}
    </div>
  );
}
