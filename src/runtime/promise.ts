/** Moved to src/kit/thenable.ts; this re-export only keeps branches written before the move compiling. Remove after merging them. */
export * from '../kit/thenable.js';
