/** Moved to src/kit (the node-author kit); this re-export only keeps branches written before the move compiling. Remove after merging them. */
export * from '../kit/retry.js';
