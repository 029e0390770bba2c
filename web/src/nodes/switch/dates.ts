// A switch's time case in words and its date rules (`except` / `only`: listed dates and/or a
// holiday calendar), as the pictures write them (flowgraph/pictures/drawing.py time_words):
// "Mon–Sat 09:00–18:00 except holidays". Also the checks the panel makes while typing a date
// (real dates YYYY-MM-DD, as flowgraph.model.is_date) and the calendars a rule can name.
import type { S } from "../../api/types";
import { WEEKDAYS } from "../../graph/specs.gen";
import { declareServerTable, type TableChoice, tableChoices } from "../shared/serverTables";

export type TimeCondition = S["TimeCondition"];
export type DateRule = S["DateRule"];
export type DateKind = "except" | "only";
type Day = (typeof WEEKDAYS)[number];

const DASH = "–";

/** `text` is a real calendar date written YYYY-MM-DD ("2026-02-30" is not). */
export function isDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const when = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1 && when.getUTCFullYear() === y && when.getUTCMonth() === mo - 1 && when.getUTCDate() === d;
}

/** Why a listed date is refused (null: it is fine), as the flow model words it. */
export function dateProblem(text: string, i: number): string | null {
  return isDate(text) ? null : `dates[${i}] '${text}' is not a date YYYY-MM-DD`;
}

/** Days in words: runs of three or more as "Mon–Sat", others one by one ("Mon, Wed"). */
export function dayWords(days: readonly Day[]): string {
  const idx = WEEKDAYS.map((d, i) => (days.includes(d) ? i : -1)).filter((i) => i >= 0);
  const runs: number[][] = [];
  for (const i of idx) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === i - 1) last.push(i);
    else runs.push([i]);
  }
  const name = (i: number | undefined) => {
    const d = WEEKDAYS[i ?? 0] ?? "";
    return d.charAt(0).toUpperCase() + d.slice(1);
  };
  return runs
    .map((r) => (r.length > 2 ? `${name(r[0])}${DASH}${name(r[r.length - 1])}` : r.map(name).join(", ")))
    .join(", ");
}

/** The rules a time case has, in the order they are asked (except, then only). */
export function dateRules(w: TimeCondition): [DateKind, DateRule][] {
  const out: [DateKind, DateRule][] = [];
  if (w.except) out.push(["except", w.except]);
  if (w.only) out.push(["only", w.only]);
  return out;
}

/** A time case in words, e.g. "Mon–Sat 09:00–18:00 except holidays" (every day: no days named). */
export function timeWords(w: TimeCondition): string {
  const days: readonly Day[] = w.days ?? WEEKDAYS;
  const every = WEEKDAYS.every((d) => days.includes(d));
  const dayText = every ? "" : `${dayWords(days) || "no day"} `;
  const hours = w.from === "00:00" && w.to === "24:00" ? "all day" : `${w.from}${DASH}${w.to}`;
  let text = `${dayText}${hours}`;
  for (const [kind, rule] of dateRules(w)) {
    const dates = rule.dates ?? [];
    const listed = dates.length === 1 ? dates[0] : `${dates.length} dates`;
    const what = [rule.calendar ? "holidays" : "", dates.length ? listed : ""].filter(Boolean).join(" and ");
    text += kind === "except" ? ` except ${what}` : ` only on ${what}`;
  }
  return text;
}

/** One line under the case for each calendar it reads: which, and what happens if it cannot be read. */
export function calendarLines(w: TimeCondition): string[] {
  return dateRules(w)
    .filter(([, r]) => r.calendar)
    .map(([, r]) => `calendar ${r.calendar}${r.unavailable === "no_match" ? " (unreadable: no match)" : ""}`);
}

/** A calendar a rule can name: a table of the flow (kept in it or on the server) or one the server has. */
/** A calendar is picked like any table: from the flow's and the server's (nodes/shared/serverTables). */
export type CalendarChoice = TableChoice;
export const calendarChoices = tableChoices;
export const adoptCalendar = declareServerTable;

/** `w` with rule `kind` set to `rule` (null: removed). */
export function withRule(w: TimeCondition, kind: DateKind, rule: DateRule | null): TimeCondition {
  const next = { ...w };
  if (rule) next[kind] = rule;
  else delete next[kind];
  return next;
}
