/** String helpers of jsonata's functions.js: code-point aware, as jsonata's stringToArray is. */
import { bail } from './bail.js';

const SURROGATE = /[\uD800-\uDFFF]/;

/** utils.stringToArray: code points, not UTF-16 units. */
function codePoints(s: string): string[] {
  return Array.from(s);
}

export function codePointLength(s: string): number {
  return SURROGATE.test(s) ? codePoints(s).length : s.length;
}

export function substring(s: string, startArg: number, length: number | undefined): string {
  const chars: string | string[] = SURROGATE.test(s) ? codePoints(s) : s;
  let start = startArg;
  if (chars.length + start < 0) start = 0;
  const join = (part: string | string[]): string => (typeof part === 'string' ? part : part.join(''));
  if (length !== undefined) {
    if (length <= 0) return '';
    const end = start >= 0 ? start + length : chars.length + start + length;
    return join(chars.slice(start, end));
  }
  return join(chars.slice(start));
}

export function trim(s: string): string {
  let result = s.replace(/[ \t\n\r]+/gm, ' ');
  if (result.charAt(0) === ' ') result = result.substring(1);
  if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
  return result;
}

/** $pad widths beyond this are left to the interpreter (the padding is allocated eagerly). */
const FAST_PAD_LIMIT = 10_000;

export function pad(s: string, widthArg: number, charArg: string | undefined): string {
  const char = charArg === undefined || charArg.length === 0 ? ' ' : charArg;
  const width = Math.trunc(widthArg);
  if (!(Math.abs(width) <= FAST_PAD_LIMIT)) return bail();
  const padLength = Math.abs(width) - codePointLength(s);
  if (padLength <= 0) return s;
  let padding = new Array(padLength + 1).join(char);
  if (char.length > 1) padding = substring(padding, 0, padLength);
  return width > 0 ? s + padding : padding + s;
}
