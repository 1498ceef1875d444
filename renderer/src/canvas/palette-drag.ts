/** The drag payload from the palette to the canvas: the node type. */
export const PALETTE_MIME = 'application/x-sluice-node-type';
