/** What the palette and canvas show for a node type. */
export interface NodeMeta {
  label: string;
  colour: string;
  help: string;
}
