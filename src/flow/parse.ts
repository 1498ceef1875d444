/** Parse flow text, turning JSON syntax errors into a problem with line and column. Isomorphic. */
import { type ParseError, printParseErrorCode, parse as tolerantParse } from 'jsonc-parser';
import { excessiveNestingAt, MAX_JSON_DEPTH } from './json-depth.js';
import type { Problem } from './problem.js';

export type ParseResult = { ok: true; value: unknown } | { ok: false; problem: Problem };

const READABLE: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected text after the end',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

/** Also refuses nesting deeper than {@link MAX_JSON_DEPTH} (problem code `too-deep`), found by a scan before parsing. */
export function parseFlowText(text: string): ParseResult {
  const deep = excessiveNestingAt(text);
  if (deep >= 0) {
    const { line, column } = lineColumn(text, deep);
    return {
      ok: false,
      problem: {
        severity: 'error',
        code: 'too-deep',
        path: '',
        message: `the JSON nests deeper than ${MAX_JSON_DEPTH} levels at line ${line}, column ${column}`,
        hint: 'a flow nests a few levels; this looks like generated or corrupted input',
        line,
        column,
      },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    // JSON.parse does not always say where; a tolerant parser finds the first error's offset.
    const errors: ParseError[] = [];
    tolerantParse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    const offset = first?.offset ?? text.length;
    const { line, column } = lineColumn(text, offset);
    const code = first ? printParseErrorCode(first.error) : '';
    const reason = READABLE[code] ?? (err instanceof Error ? err.message : String(err));
    return {
      ok: false,
      problem: {
        severity: 'error',
        code: 'malformed-json',
        path: '',
        message: `malformed JSON at line ${line}, column ${column}: ${reason}`,
        hint: 'fix the JSON syntax there (a missing or extra comma, quote or bracket is the usual cause)',
        line,
        column,
      },
    };
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
