// Try a call without a phone: caller, dialled number and time; press keys on a keypad (or "no
// input"); the path lights up on the canvas and every event is listed, with the exact platform JSON
// of each request.
import { useEffect, useRef, useState } from "react";
import { type Journey, simulateCall } from "../api/flows";
import type { LookupNode } from "../api/types";
import { addTest, type LookupAnswer, type SimulatedCall, testFromSimulation } from "../graph/flowtests";
import {
  eventLine,
  pathEdges,
  pathUntilMenu,
  promptText,
  visibleEvents,
  visibleExchanges,
} from "../graph/journey";
import { nodesOf } from "../graph/ops";
import { useEditor, useEditorStore } from "../store";
import { saveNow } from "./hooks";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const STEP_MS = 180;

export const DEFAULT_TIMEZONE = "Asia/Kolkata";

/** Now in `timeZone`, as a datetime-local value (the simulator sends naive times, which the
 * server reads in the flow's time zone, so the browser's own zone must not leak in). */
export function nowIn(timeZone: string, at: Date = new Date()): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    }).formatToParts(at);
  } catch {
    return nowIn(DEFAULT_TIMEZONE, at);
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}`;
}

/** "found:col=value, col2=value" → the row; the other words as they are. */
function lookupBody(answer: LookupChoice): LookupAnswer {
  if (answer.kind !== "found") return answer.kind;
  const row: Record<string, string> = {};
  for (const pair of answer.row.split(",")) {
    const [k, ...v] = pair.split("=");
    if (k?.trim()) row[k.trim()] = v.join("=").trim();
  }
  return row;
}

interface LookupChoice {
  kind: "found" | "not_found" | "error" | "timeout";
  row: string;
}

/** What each HTTP lookup answers in the simulated call (a simulation never calls the API). */
function LookupChoices({
  nodes,
  value,
  onChange,
}: {
  nodes: LookupNode[];
  value: Record<string, LookupChoice>;
  onChange: (v: Record<string, LookupChoice>) => void;
}) {
  if (!nodes.length) return null;
  return (
    <fieldset className="fg-sim-lookups">
      <legend>HTTP lookups answer</legend>
      {nodes.map((n) => {
        const v = value[n.id] ?? { kind: "not_found", row: "" };
        const set = (next: Partial<LookupChoice>) => onChange({ ...value, [n.id]: { ...v, ...next } });
        return (
          <div key={n.id} className="fg-field">
            <label htmlFor={`sim-lookup-${n.id}`}>{n.name || n.id}</label>
            <select
              id={`sim-lookup-${n.id}`}
              data-testid={`sim-lookup-${n.id}`}
              value={v.kind}
              onChange={(e) => set({ kind: e.target.value as LookupChoice["kind"] })}
            >
              <option value="found">a row</option>
              <option value="not_found">not found</option>
              <option value="error">an error</option>
              <option value="timeout">a timeout</option>
            </select>
            {v.kind === "found" && (
              <input
                aria-label={`${n.id} row`}
                data-testid={`sim-lookup-${n.id}-row`}
                placeholder="column=value, column2=value"
                value={v.row}
                onChange={(e) => set({ row: e.target.value })}
              />
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

/** Light the path node by node so the user sees the order the call took. */
function useAnimatePath(path: string[]) {
  const store = useEditorStore();
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    const s = store.getState();
    const flow = s.flow;
    if (!flow) return;
    let i = 0;
    window.clearInterval(timer.current);
    timer.current = window.setInterval(() => {
      i += 1;
      const lit = path.slice(0, i);
      store.getState().setLit(lit, pathEdges(flow, lit));
      if (i >= path.length) window.clearInterval(timer.current);
    }, STEP_MS);
    return () => window.clearInterval(timer.current);
  }, [store, path]);
  useEffect(() => () => store.getState().setLit([], []), [store]);
}

/** The answers after the latest transfer goes unanswered (earlier ones as they were). */
export function withUnanswered(answers: readonly boolean[], transfers: number): boolean[] {
  const out = answers.slice(0, transfers - 1);
  while (out.length < transfers - 1) out.push(true);
  return [...out, false];
}

function useSaveAsTest(call: SimulatedCall | null, journey: Journey | null, finished: boolean) {
  const store = useEditorStore();
  const [saved, setSaved] = useState("");
  // A new simulation is not saved yet.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on every new journey
  useEffect(() => setSaved(""), [journey]);
  const save = () => {
    const s = store.getState();
    if (!call || !journey || !finished || !s.flow) return;
    const taken = (s.flow.tests ?? []).map((t) => t.name);
    const test = testFromSimulation(call, journey.events, taken);
    s.edit((f) => addTest(f, test));
    setSaved(test.name);
  };
  return { saved, save };
}

export function SimulatorPanel() {
  const store = useEditorStore();
  const flowId = useEditor((s) => s.flowId) ?? "";
  const flow = useEditor((s) => s.flow);
  const timeZone = flow?.settings?.profile?.timezone ?? DEFAULT_TIMEZONE;
  const [caller, setCaller] = useState("9812345678");
  const [dialled, setDialled] = useState("9000000000");
  const [start, setStart] = useState(() => nowIn(timeZone));
  const [presses, setPresses] = useState<(string | null)[] | null>(null);
  const [answers, setAnswers] = useState<boolean[]>([]);
  const [lookupChoices, setLookupChoices] = useState<Record<string, LookupChoice>>({});
  const [journey, setJourney] = useState<Journey | null>(null);
  const [call, setCall] = useState<SimulatedCall | null>(null);
  const [error, setError] = useState("");
  const httpLookups = (flow ? nodesOf(flow) : []).filter(
    (n): n is LookupNode => n.type === "lookup" && n.source.kind === "http",
  );

  const run = async (next: (string | null)[], nextAnswers: boolean[]) => {
    setError("");
    setPresses(next);
    setAnswers(nextAnswers);
    const lookups = Object.fromEntries(
      httpLookups.map((n) => [n.id, lookupBody(lookupChoices[n.id] ?? { kind: "not_found", row: "" })]),
    );
    const placed: SimulatedCall = { caller, dialled, start, presses: next, answers: nextAnswers, lookups };
    try {
      if (!(await saveNow(store))) throw new Error("Save the draft first (see the save status).");
      // The simulator's API reads a lookup timeout as the error it ends in (as the runtime does).
      const sent = Object.fromEntries(
        Object.entries(lookups).map(([k, v]) => [k, v === "timeout" ? "error" : v]),
      );
      const body = {
        caller,
        dialled,
        start: `${start}:00`,
        presses: next,
        answers: nextAnswers,
        lookups: sent,
      };
      setJourney(await simulateCall(flowId, body));
      setCall(placed);
    } catch (err) {
      setJourney(null);
      setCall(null);
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const view = journey ? visibleEvents(journey.events, presses?.length ?? 0) : null;
  const path =
    journey && flow && view?.waiting
      ? pathUntilMenu(flow, journey.path, presses?.length ?? 0)
      : (journey?.path ?? []);
  useAnimatePath(path);
  const exchanges = journey
    ? visibleExchanges(journey.exchanges ?? [], presses?.length ?? 0, Boolean(view?.waiting))
    : [];
  const names = new Map((flow?.recordings ?? []).filter((r) => r.name).map((r) => [r.id, r.name ?? ""]));
  const press = (k: string | null) => void run([...(presses ?? []), k], answers);
  const finished = Boolean(view && !view.waiting);
  const last = view?.shown[view.shown.length - 1];
  const transfers = view?.shown.filter((e) => e.event === "transfer").length ?? 0;
  const canMiss = finished && last?.event === "transfer" && last.answered === true;
  const { saved, save } = useSaveAsTest(call, journey, finished);

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
        <label htmlFor="sim-time">
          Call time <span className="fg-help">({timeZone}, the flow's time zone)</span>
        </label>
        <input id="sim-time" type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
      </div>
      <LookupChoices nodes={httpLookups} value={lookupChoices} onChange={setLookupChoices} />
      <button type="button" data-testid="sim-start" onClick={() => void run([], [])}>
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
      {journey?.notes?.length ? (
        // What the call read of the server's tables: the live version, or a table not there.
        <ul className="fg-sim-notes" data-testid="sim-notes">
          {journey.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
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
      {canMiss && (
        <button
          type="button"
          data-testid="sim-no-answer"
          onClick={() => void run(presses ?? [], withUnanswered(answers, transfers))}
        >
          Nobody answers this transfer
        </button>
      )}
      {journey && <p className="fg-help">Path: {path.join(" → ")}</p>}
      {journey && (
        <div className="fg-sim-save">
          <button type="button" data-testid="sim-save-test" disabled={!finished} onClick={save}>
            Save as test
          </button>
          {!finished && <span className="fg-help"> Finish the call first (press a key or “No input”).</span>}
          {saved && (
            <p role="status" data-testid="sim-saved">
              Saved as test “{saved}”. It runs after every edit on the{" "}
              <button type="button" className="fg-link" onClick={() => store.getState().setTab("tests")}>
                Tests
              </button>{" "}
              tab.
            </p>
          )}
        </div>
      )}
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
