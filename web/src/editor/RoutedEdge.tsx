// The canvas edge: an orthogonal route around the nodes in the way (graph/route.ts), labelled
// near its target with the branch it carries (menu options, switch cases, lookup outcomes).
import { BaseEdge, EdgeLabelRenderer, type EdgeProps } from "@xyflow/react";
import { createContext, memo, useContext, useMemo } from "react";
import { labelPoint, pathOf, type Rect, routeEdge } from "../graph/route";

/** The node boxes edges must avoid, provided by the canvas. */
export const ObstacleContext = createContext<readonly Rect[]>([]);

export interface RoutedEdgeData extends Record<string, unknown> {
  label: string;
  lane: number;
}

function RoutedEdgeImpl({ id, sourceX, sourceY, targetX, targetY, data, markerEnd, style }: EdgeProps) {
  const obstacles = useContext(ObstacleContext);
  const d = data as RoutedEdgeData | undefined;
  const points = useMemo(
    () => routeEdge({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, obstacles, d?.lane ?? 0),
    [sourceX, sourceY, targetX, targetY, obstacles, d?.lane],
  );
  const at = d?.label ? labelPoint(points) : null;
  return (
    <>
      <BaseEdge id={id} path={pathOf(points)} markerEnd={markerEnd} style={style} interactionWidth={12} />
      {at && d?.label && (
        <EdgeLabelRenderer>
          <div
            className="fg-edge-label"
            data-testid={`edge-label-${id}`}
            style={{ transform: `translate(-50%, -50%) translate(${at.x}px, ${at.y}px)` }}
          >
            {d.label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const RoutedEdge = memo(RoutedEdgeImpl);
export const EDGE_TYPES = { routed: RoutedEdge };
