// One table's rows, a page at a time from the server (never the whole table in the page), with a
// search over keys and values and a pager.
import { useEffect, useState } from "react";
import { PAGE_SIZE, useTables } from "./store";
import { pageInfo, pageLabel } from "./view";

/** How long typing pauses before the search is sent (one request per pause, not per key). */
const TYPING_MS = 250;

function SearchBox() {
  const q = useTables((s) => s.q);
  const search = useTables((s) => s.search);
  const open = useTables((s) => s.open);
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  useEffect(() => {
    if (text.trim() === q) return;
    const t = window.setTimeout(() => search(text.trim()), TYPING_MS);
    return () => window.clearTimeout(t);
  }, [text, q, search]);
  return (
    <search className="fg-table-search">
      <label htmlFor="table-search">Search keys and values</label>
      <input
        id="table-search"
        type="search"
        data-testid="table-search"
        placeholder="a number, a name, an agent id…"
        value={text}
        disabled={!open}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") search(text.trim());
        }}
      />
    </search>
  );
}

export function TableRows() {
  const page = useTables((s) => s.page);
  const error = useTables((s) => s.pageError);
  const offset = useTables((s) => s.offset);
  const q = useTables((s) => s.q);
  const goTo = useTables((s) => s.goTo);
  const info = page ? pageInfo(page.offset, PAGE_SIZE, page.total, page.rows.length) : null;
  return (
    <section className="fg-table-rows" aria-label="Rows">
      <SearchBox />
      {error && <p role="alert">{error}</p>}
      {!page || !info ? (
        !error && <p className="fg-help">Loading rows…</p>
      ) : (
        <>
          <div className="fg-row fg-pager">
            <span data-testid="rows-label">{pageLabel(info, page.total, q, page.more)}</span>
            <button
              type="button"
              data-testid="rows-prev"
              disabled={!info.hasPrev}
              onClick={() => goTo(offset - PAGE_SIZE)}
            >
              ← Previous
            </button>
            <span data-testid="rows-page">
              page {info.page} of {info.pages}
              {page.more ? "+" : ""}
            </span>
            <button
              type="button"
              data-testid="rows-next"
              disabled={!info.hasNext}
              onClick={() => goTo(offset + PAGE_SIZE)}
            >
              Next →
            </button>
          </div>
          <div className="fg-table-scroll">
            <table className="fg-data-table" data-testid="rows-table" data-version={page.version}>
              <thead>
                <tr>
                  {page.columns.map((c, i) => (
                    <th scope="col" key={c}>
                      {c}
                      {i === 0 && <span className="fg-help"> (key)</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {page.rows.map((row) => (
                  <tr key={row[0]} data-testid="table-row">
                    {row.map((cell, i) =>
                      i === 0 ? (
                        <th scope="row" key={page.columns[i]}>
                          {cell}
                        </th>
                      ) : (
                        <td key={page.columns[i]}>{cell}</td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
