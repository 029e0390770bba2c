// The branches no flow test reaches (edge ids `node|branch`), while the Tests tab's toggle is on.
import { useMemo } from "react";
import { untestedEdges } from "../../graph/flowtests";
import { useEditor } from "../../store";

/** The untested branches to shade, or null when shading is off or the tests have not run. */
export function useUntested(): ReadonlySet<string> | null {
  const on = useEditor((s) => s.showUntested);
  const missed = useEditor((s) => s.testRun?.coverage.missed);
  return useMemo(() => (on && missed ? untestedEdges(missed) : null), [on, missed]);
}
