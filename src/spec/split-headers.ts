/** The headers `split` (and csv's one-message-per-row) set on each part and `join` reads back. Isomorphic. */
export const SPLIT_ID = 'split-id';
export const SPLIT_INDEX = 'split-index';
export const SPLIT_COUNT = 'split-count';
/** `array`, `string` or `object`: what was split, so `join` (output `auto`) can rebuild the same kind. */
export const SPLIT_TYPE = 'split-type';
/** Objects: the property the part came from. */
export const SPLIT_KEY = 'split-key';
/** Strings: the separator, so `join` can put it back. */
export const SPLIT_SEPARATOR = 'split-separator';
export const SPLIT_HEADERS = [SPLIT_ID, SPLIT_INDEX, SPLIT_COUNT, SPLIT_TYPE, SPLIT_KEY, SPLIT_SEPARATOR];
