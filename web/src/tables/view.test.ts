import { describe, expect, it } from "vitest";
import type { TableImport, TableSummary } from "../api/tables";
import { clampOffset, count, imported, locate, pageInfo, pageLabel, progress, refused, size } from "./view";

const summary = (version: number, rows: number): TableSummary => ({
  name: "customers",
  version,
  key: "number",
  columns: ["number", "agent_id"],
  rows,
  size: 100,
  text_keys: 0,
  updated: "2026-01-01T00:00:00Z",
});

describe("the Tables view's words and numbers", () => {
  it("formats counts, sizes and progress", () => {
    expect(count(3000)).toBe("3,000");
    expect(size(812)).toBe("812 B");
    expect(size(4300)).toBe("4.2 KB");
    expect(size(26 * 1024 * 1024)).toBe("26.0 MB");
    expect(progress(512, 2048)).toBe("512 B of 2.0 KB (25%)");
    expect(progress(10, 0)).toBe("10 B of 0 B (0%)");
  });

  it("pages a table and says where the page is", () => {
    const p = pageInfo(50, 50, 3000, 50);
    expect(p).toEqual({ first: 51, last: 100, page: 2, pages: 60, hasPrev: true, hasNext: true });
    expect(pageLabel(p, 3000, "", false)).toBe("Rows 51–100 of 3,000");
    const last = pageInfo(2950, 50, 3000, 50);
    expect(last.hasNext).toBe(false);
    const found = pageInfo(0, 50, 1, 1);
    expect(pageLabel(found, 1, "9100000042", false)).toBe("Rows 1–1 of 1 matching “9100000042”");
    expect(pageLabel(pageInfo(0, 50, 10000, 50), 10000, "9", true)).toBe(
      "Rows 1–50 of 10,000+ matching “9” (more match: narrow the search)",
    );
    expect(pageLabel(pageInfo(0, 50, 0, 0), 0, "zz", false)).toBe("No row matches “zz”");
    expect(pageLabel(pageInfo(0, 50, 0, 0), 0, "", false)).toBe("The table is empty");
  });

  it("keeps an offset inside the table (a smaller version, a shorter search)", () => {
    expect(clampOffset(500, 50, 120)).toBe(100);
    expect(clampOffset(50, 50, 120)).toBe(50);
    expect(clampOffset(100, 50, 0)).toBe(0);
    expect(clampOffset(-50, 50, 120)).toBe(0);
  });

  it("splits a refused file's problem into line and column", () => {
    expect(locate({ path: "line 3, column 1 (number)", message: "key repeats line 2" })).toEqual({
      line: 3,
      column: 1,
      columnName: "number",
      where: "line 3, column 1 (number)",
      message: "key repeats line 2",
    });
    expect(locate({ path: "line 4", message: "2 values" })).toMatchObject({ line: 4, column: null });
    expect(locate({ path: "rows[2][0]", message: "empty key" })).toMatchObject({
      line: null,
      where: "rows[2][0]",
    });
  });

  it("says what an import did and what a refusal left live", () => {
    const created: TableImport = { table: summary(2, 3000), created: true };
    expect(imported(created, summary(1, 120))).toBe(
      "Version 2 is live: 3,000 rows (was version 1, 120 rows).",
    );
    expect(imported({ table: summary(1, 1), created: true }, null)).toBe("Version 1 is live: 1 row.");
    expect(imported({ table: summary(2, 3000), created: false }, summary(2, 3000))).toBe(
      "Nothing changed: the file equals version 2 (3,000 rows).",
    );
    expect(refused(summary(2, 3000))).toBe("Nothing changed: version 2 (3,000 rows) is still live.");
    expect(refused(null)).toBe("Nothing changed: no table was created.");
  });
});
