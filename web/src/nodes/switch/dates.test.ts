import { describe, expect, it } from "vitest";
import {
  adoptCalendar,
  calendarChoices,
  calendarLines,
  dateProblem,
  dayWords,
  isDate,
  type TimeCondition,
  timeWords,
  withRule,
} from "./dates";
import { describeCase } from "./Node";

const hours: TimeCondition = {
  on: "time",
  days: ["mon", "tue", "wed", "thu", "fri", "sat"],
  from: "09:00",
  to: "18:00",
};

describe("a time case in words (as the pictures write it)", () => {
  it("names the days, the hours and the date rules", () => {
    expect(timeWords(hours)).toBe("Mon–Sat 09:00–18:00");
    expect(timeWords({ ...hours, except: { calendar: "india" } })).toBe(
      "Mon–Sat 09:00–18:00 except holidays",
    );
    expect(timeWords({ ...hours, except: { calendar: "india", dates: ["2026-03-14"] } })).toBe(
      "Mon–Sat 09:00–18:00 except holidays and 2026-03-14",
    );
    expect(timeWords({ on: "time", from: "00:00", to: "24:00", only: { calendar: "india" } })).toBe(
      "all day only on holidays",
    );
    expect(timeWords({ ...hours, days: [], only: { dates: ["2026-01-26", "2026-08-15"] } })).toBe(
      "no day 09:00–18:00 only on 2 dates",
    );
    expect(describeCase({ branch: "open", when: { ...hours, except: { calendar: "india" } } })).toBe(
      "Mon–Sat 09:00–18:00 except holidays",
    );
  });

  it("writes runs of three days or more as a range", () => {
    expect(dayWords(["mon", "tue", "wed", "fri"])).toBe("Mon–Wed, Fri");
    expect(dayWords(["mon", "tue", "sat", "sun"])).toBe("Mon, Tue, Sat, Sun");
    expect(dayWords([])).toBe("");
  });

  it("lists the calendars a case reads", () => {
    const w = {
      ...hours,
      except: { calendar: "india" },
      only: { calendar: "open_days", unavailable: "no_match" as const },
    };
    expect(calendarLines(w)).toEqual(["calendar india", "calendar open_days (unreadable: no match)"]);
    expect(calendarLines({ ...hours, except: { dates: ["2026-01-26"] } })).toEqual([]);
  });
});

describe("listed dates", () => {
  it("are real dates YYYY-MM-DD", () => {
    expect(isDate("2026-01-26")).toBe(true);
    expect(isDate("2028-02-29")).toBe(true);
    for (const bad of [
      "2026-02-29",
      "2026-02-30",
      "2026-13-01",
      "2026-1-26",
      "26-01-2026",
      "",
      " 2026-01-26",
    ]) {
      expect(isDate(bad)).toBe(false);
    }
    expect(dateProblem("2026-02-30", 1)).toBe("dates[1] '2026-02-30' is not a date YYYY-MM-DD");
    expect(dateProblem("2026-02-28", 0)).toBeNull();
  });
});

describe("calendars to pick", () => {
  const server = [
    { name: "india", key: "date", columns: ["date", "name"] },
    { name: "registered", key: "number", columns: ["number", "name", "agent_id"] },
  ];

  it("are the flow's tables and the server's, each once", () => {
    const choices = calendarChoices({ local: { rows: {} }, registered: { server: true } }, server);
    expect(choices.map((c) => [c.name, c.where])).toEqual([
      ["india", "server"],
      ["local", "flow"],
      ["registered", "flow+server"],
    ]);
    expect(calendarChoices({ local: {} }, null).map((c) => c.name)).toEqual(["local"]);
  });

  it("declare a server table the flow lacks, and nothing else", () => {
    const [india, local] = calendarChoices({ local: {} }, server);
    expect(adoptCalendar({ local: {} }, india)).toEqual({
      local: {},
      india: { server: true, columns: ["name"] },
    });
    expect(adoptCalendar({ local: {} }, local)).toBeNull();
    expect(adoptCalendar({ india: { server: true } }, india)).toBeNull();
    expect(adoptCalendar({}, undefined)).toBeNull();
  });

  it("set and remove a rule", () => {
    const w = withRule(hours, "except", { calendar: "india" });
    expect(w.except).toEqual({ calendar: "india" });
    expect("except" in withRule(w, "except", null)).toBe(false);
  });
});
