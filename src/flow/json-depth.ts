/**
 * How deep JSON text nests, found by one pass over the characters before anything parses it: rejecting absurd
 * nesting this way costs a scan, never a parse or a recursive walk. Isomorphic.
 */

/** Real flows nest a few levels (a generated payload a few more); this only stops pathological input. */
export const MAX_JSON_DEPTH = 100;

/** The offset of the first `[` or `{` (outside strings) that opens level `max + 1`, or -1 when none does. */
export function excessiveNestingAt(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}
