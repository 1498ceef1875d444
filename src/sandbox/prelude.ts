/**
 * JavaScript evaluated inside each fresh QuickJS context (trusted: ours, not the user's). It installs a
 * bounded `console`, compiles the user's code with the Function constructor (so the code cannot break out of
 * its wrapper). It returns `[compile, lineOffset]`; `compile(code)` returns `run`, and `run(json)` parses the
 * input, calls the user's function and returns its result as JSON text (or undefined): only strings cross
 * the boundary.
 */
export const PRELUDE = String.raw`(function (hostLog, maxChars, maxLines, argName) {
  'use strict';
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const ErrorType = Error;
  let lines = 0;

  function show(value) {
    if (typeof value === 'string') return value;
    if (value instanceof ErrorType) return String(value.name) + ': ' + String(value.message);
    try {
      const text = stringify(value);
      return text === undefined ? String(value) : text;
    } catch (e) {
      try { return String(value); } catch (e2) { return '[unprintable]'; }
    }
  }

  function logger(level) {
    return function () {
      if (lines >= maxLines) {
        if (lines === maxLines) hostLog('warn', 'log limit reached: further lines from this call are dropped');
        lines = maxLines + 1;
        return;
      }
      lines++;
      let text = '';
      for (let i = 0; i < arguments.length && text.length <= maxChars; i++) text += (i ? ' ' : '') + show(arguments[i]);
      if (text.length > maxChars) text = text.slice(0, maxChars) + '... (truncated)';
      hostLog(level, text);
    };
  }

  globalThis.console = Object.freeze({
    log: logger('info'), info: logger('info'), debug: logger('debug'), warn: logger('warn'), error: logger('error'),
  });

  // Where line 1 of a Function-constructor body lands in the source QuickJS reports (<input>:line:col).
  let lineOffset = 0;
  try {
    new Function(argName, 'throw new Error()')();
  } catch (e) {
    const m = /<input>:(\d+)/.exec(String(e.stack));
    if (m) lineOffset = Number(m[1]) - 1;
  }

  // QuickJS's Function constructor parses its source as one text, so a body like '}); (function () {' would
  // close the wrapper early: the compiled function's source must be exactly the wrapper around the code.
  const marker = '/*@sluice-body@*/';
  const probe = String(new Function(argName, marker));
  const cut = probe.indexOf(marker);
  const before = probe.slice(0, cut);
  const after = probe.slice(cut + marker.length);

  function compile(code) {
    const fn = new Function(argName, code);
    if (cut >= 0 && String(fn) !== before + code + after) {
      throw new SyntaxError('unbalanced braces: the code closes its function early');
    }
    return function run(json) {
      lines = 0;
      const result = fn(json === undefined ? undefined : parse(json));
      return result === undefined ? undefined : stringify(result);
    };
  }

  return [compile, lineOffset];
})`;
