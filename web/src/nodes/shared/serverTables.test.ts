import { describe, expect, it } from "vitest";
import { declareServerTable, tableChoices, tableState } from "./serverTables";

const server = [{ name: "vip", key: "number", columns: ["number", "name", "agent"] }];

describe("a table named by a node", () => {
  it("is the flow's own, a declared server table, an undeclared one, or neither", () => {
    const flow = { own: { rows: {} }, holidays: { server: true } };
    expect(tableState("", flow, server)).toBe("empty");
    expect(tableState("own", flow, server)).toBe("flow");
    expect(tableState("holidays", flow, server)).toBe("server");
    expect(tableState("vip", flow, server)).toBe("undeclared");
    expect(tableState("vipx", flow, server)).toBe("unknown");
    expect(tableState("vip", flow, null)).toBe("unlisted");
  });

  it("offers the server's tables beside the flow's, and declares one with its columns", () => {
    const choices = tableChoices({ own: { rows: {} } }, server);
    expect(choices.map((c) => [c.name, c.where])).toEqual([
      ["own", "flow"],
      ["vip", "server"],
    ]);
    expect(declareServerTable({ own: { rows: {} } }, choices[1])).toEqual({
      own: { rows: {} },
      vip: { server: true, columns: ["name", "agent"] },
    });
    expect(declareServerTable({ own: { rows: {} } }, choices[0])).toBeNull();
    expect(declareServerTable({ vip: { server: true } }, choices[1])).toBeNull();
  });
});
