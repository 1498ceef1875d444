/**
 * Seeded random JSONata expressions over the fast-path subset (paths with predicates, operators, built-ins,
 * constructors, blocks with conditional assignments), for a generative differential test.
 */
type Rand = () => number;

const FIELDS = ['payload', 'temp', 'readings', 'v', 'ok', 'tags', 'name', 'topic', 'nested', 'deep', 'x', 'id'];
const MORE_FIELDS = ['level', 'active', 'unit', 'humidity', 'headers', 'source', 'timestamp'];
const LITERALS = ['1', '0', '-1', '2.5', '70', '"a"', '""', '"/"', '"alert"', 'true', 'false', 'null', '[]', '{}'];
const MORE_LITERALS = ['[1,2]', '"C"', '3', '-2'];
const OPERATORS = ['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', '&', 'and', 'or', 'in'];
/** [name, number of arguments] */
const FUNCTIONS: readonly (readonly [string, number])[] = [
  ['string', 1],
  ['number', 1],
  ['length', 1],
  ['uppercase', 1],
  ['lowercase', 1],
  ['trim', 1],
  ['substring', 2],
  ['substring', 3],
  ['substringBefore', 2],
  ['substringAfter', 2],
  ['pad', 2],
  ['contains', 2],
  ['split', 2],
  ['split', 3],
  ['join', 1],
  ['join', 2],
  ['round', 1],
  ['round', 2],
  ['floor', 1],
  ['ceil', 1],
  ['abs', 1],
  ['sqrt', 1],
  ['power', 2],
  ['sum', 1],
  ['max', 1],
  ['min', 1],
  ['average', 1],
  ['count', 1],
  ['exists', 1],
  ['boolean', 1],
  ['not', 1],
  ['type', 1],
  ['keys', 1],
  ['lookup', 2],
  ['append', 2],
  ['string', 0],
  ['boolean', 0],
  ['keys', 0],
];

export function expressionGenerator(r: Rand): (depth: number) => string {
  const pick = <T>(options: readonly T[]): T => options[Math.floor(r() * options.length)]!;
  const fields = [...FIELDS, ...MORE_FIELDS];
  const literals = [...LITERALS, ...MORE_LITERALS];

  function step(d: number, i: number): string {
    if (i > 0 && d > 0) {
      const k = r();
      if (k < 0.08) return `(${expr(d - 1)})`;
      if (k < 0.13) return `{"k": ${expr(d - 1)}}`;
      if (k < 0.18) return `[${expr(d - 1)}, ${expr(d - 1)}]`;
    }
    let s = r() < 0.1 ? '*' : pick(fields);
    if (r() < 0.2 && d > 0) s += `[${expr(d - 1)}]`;
    if (r() < 0.1) s += '[]';
    return s;
  }

  function path(d: number): string {
    const steps = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => step(d, i));
    const k = r();
    const start = k < 0.1 ? '$.' : k < 0.15 ? '$$.' : k < 0.2 ? '$v.' : '';
    return start + steps.join('.');
  }

  function expr(d: number): string {
    if (d <= 0) return r() < 0.5 ? path(0) : pick(literals);
    const e = () => expr(d - 1);
    const k = r();
    if (k < 0.25) return path(d);
    if (k < 0.35) return pick(literals);
    if (k < 0.55) return `${e()} ${pick(OPERATORS)} ${e()}`;
    if (k < 0.7) {
      const [name, arity] = pick(FUNCTIONS);
      return `$${name}(${Array.from({ length: arity }, e).join(', ')})`;
    }
    if (k < 0.75) return `${e()} ? ${e()} : ${e()}`;
    if (k < 0.78) return `${e()} ? ${e()}`;
    if (k < 0.82) return `[${e()}, ${e()}]${r() < 0.3 ? `[${e()}]` : ''}`;
    if (k < 0.86) return `{"a": ${e()}, ${r() < 0.2 ? e() : '"b"'}: ${e()}}`;
    if (k < 0.88) return `($v := ${e()}; ${e()})`;
    // assignments that may not happen, shadowing in nested blocks
    if (k < 0.9) return `(${e()} ? ($v := ${e()}) : ($w := 1); ($v := $v & "!"; $w); [$v, $w])`;
    if (k < 0.91) return `-${e()}`;
    if (k < 0.93) return `${e()} ~> $${pick(['string', 'uppercase', 'count', 'sum', 'exists', 'join', 'keys'])}()`;
    if (k < 0.95) return `(${e()})[${e()}]`;
    if (k < 0.97) return `${e()} ?: ${e()}`;
    return `[${Math.floor(r() * 5)}..${Math.floor(r() * 8)}]`;
  }

  return expr;
}
