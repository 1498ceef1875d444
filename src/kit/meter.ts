/**
 * Which node is running now, for the kit's batcher and retries: they report batch sizes and retries to the node
 * that created them without every node passing its context down. The engine sets the current node (a plain variable,
 * synchronous, no allocation) around a node's create, start and handle calls; a Batcher or RetriedDelivery captures it
 * when it is constructed. Work started later from a timer or after an `await` sees no node (undefined).
 */
export interface NodeMeter {
  /** A sink wrote a batch of `size` items. */
  batch(size: number): void;
  /** An attempt failed and will be tried again. */
  retry(): void;
}

let current: NodeMeter | undefined;

export function currentMeter(): NodeMeter | undefined {
  return current;
}

/** Makes `meter` current; returns the one it replaces, to hand back to `enterMeter` when done. */
export function enterMeter(meter: NodeMeter | undefined): NodeMeter | undefined {
  const previous = current;
  current = meter;
  return previous;
}
