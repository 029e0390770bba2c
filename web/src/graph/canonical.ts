// Compare flow logic (layout excluded) the way the server hashes versions: canonical JSON.

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== null && v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

/** Canonical JSON of a flow without its layout (positions and notes never change behaviour). */
export function logicKey(flow: unknown): string {
  const { layout: _layout, ...logic } = (flow ?? {}) as Record<string, unknown>;
  return JSON.stringify(sortKeys(logic));
}
