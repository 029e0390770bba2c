import { describe, expect, it } from "vitest";
import { parseCsv, tableFromCsv, tableToCsv } from "./csv";

describe("csv", () => {
  it("parses quotes, escaped quotes, CRLF and blank lines", () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n\n1,2')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"'],
      ["1", "2"],
    ]);
  });

  it("reads tab-separated text pasted from a spreadsheet", () => {
    expect(parseCsv("phone\tname\n9876543210\tAsha")).toEqual([
      ["phone", "name"],
      ["9876543210", "Asha"],
    ]);
  });

  it("builds a lookup table keyed by the first column and round-trips it", () => {
    const t = tableFromCsv("phone,name,tier\n9876543210,Asha,gold\n9123456789,Ravi\n");
    expect(t).toEqual({
      columns: ["name", "tier"],
      rows: { "9876543210": { name: "Asha", tier: "gold" }, "9123456789": { name: "Ravi", tier: "" } },
    });
    expect(tableFromCsv(tableToCsv(t, "phone"))).toEqual(t);
    expect(tableFromCsv("")).toEqual({ columns: [], rows: {} });
  });
});

describe("logicKey", () => {
  it("ignores layout, key order and nulls", async () => {
    const { logicKey } = await import("./canonical");
    const a = {
      id: "f",
      entry: "x",
      layout: { positions: { x: { x: 1, y: 2 } } },
      name: "A",
      description: null,
    };
    const b = { name: "A", entry: "x", id: "f" };
    expect(logicKey(a)).toBe(logicKey(b));
    expect(logicKey({ ...b, name: "B" })).not.toBe(logicKey(b));
  });
});
