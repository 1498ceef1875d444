/** Number helpers of jsonata's functions.js. */
import { bail } from './bail.js';

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (
      /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(value) &&
      !Number.isNaN(Number.parseFloat(value)) &&
      Number.isFinite(Number(value))
    ) {
      return Number.parseFloat(value);
    }
    // jsonata's own regex (its alternation is not anchored on both sides; kept as is for identical results)
    if (/^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/.test(value)) return Number(value);
  }
  if (value === true) return 1;
  if (value === false) return 0;
  return bail();
}

/** fn.round: round half to even, shifting the decimal point in the string form. */
export function round(value: number, precision: number | undefined): number {
  let arg = value;
  if (precision) {
    const parts = arg.toString().split('e');
    arg = +`${parts[0]}e${parts[1] ? +parts[1] + precision : precision}`;
  }
  let result = Math.round(arg);
  const diff = result - arg;
  if (Math.abs(diff) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  if (precision) {
    const parts = result.toString().split('e');
    result = +`${parts[0]}e${parts[1] ? +parts[1] - precision : -precision}`;
  }
  return Object.is(result, -0) ? 0 : result;
}
