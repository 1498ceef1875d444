/**
 * An expression field: CodeMirror 6 with the runtime's syntax check as you type (`checkExpression`), the error
 * underlined and spelled out below the editor.
 */
import { javascript } from '@codemirror/lang-javascript';
import { linter } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, placeholder } from '@codemirror/view';
import type { WidgetProps } from '@rjsf/utils';
import { minimalSetup } from 'codemirror';
import { useEffect, useRef, useState } from 'react';
import css from '../SchemaForm.module.css';
import { expressionDiagnostics, type SyntaxProblem } from './expression-lint.js';

const theme = EditorView.theme({
  '&': { fontSize: '12px', border: '1px solid var(--line-strong)', borderRadius: '6px', background: 'var(--panel)' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-1px' },
  '.cm-content': { fontFamily: 'var(--mono)', padding: '6px 0', minHeight: '22px' },
  '.cm-line': { padding: '0 8px' },
  '.cm-scroller': { maxHeight: '220px', overflow: 'auto' },
});

export function ExpressionWidget(props: WidgetProps) {
  const { id, value, onChange, onBlur, onFocus, schema, disabled, readonly, label, required, rawErrors } = props;
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const latest = useRef({ onChange, onBlur, onFocus, required });
  latest.current = { onChange, onBlur, onFocus, required };
  // Only JSONata expressions are checked; templates (`{{topic}}`) and code have their own syntax.
  const declared = typeof schema['x-language'] === 'string' ? schema['x-language'] : undefined;
  const language = declared ?? (schema['x-widget'] === 'expression' ? 'jsonata' : 'none');
  const [problem, setProblem] = useState<SyntaxProblem | null>(
    () => expressionDiagnostics(String(value ?? ''), language).problem,
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is created once; value changes sync below
  useEffect(() => {
    if (!host.current) return;
    // Inside a shadow root CodeMirror styles itself with constructable style sheets instead of a <style> element,
    // which the page's CSP (no 'unsafe-inline') would block.
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    const v = new EditorView({
      parent: shadow,
      root: shadow,
      state: EditorState.create({
        doc: typeof value === 'string' ? value : '',
        extensions: [
          minimalSetup,
          // JavaScript highlighting reads well for JSONata too (strings, numbers, operators, $functions).
          ...(language === 'jsonata' || language === 'javascript' ? [javascript()] : []),
          EditorView.lineWrapping,
          theme,
          placeholder(
            Array.isArray(schema.examples)
              ? String(schema.examples[0])
              : language === 'jsonata'
                ? 'JSONata expression'
                : '',
          ),
          EditorState.readOnly.of(Boolean(disabled || readonly)),
          EditorView.contentAttributes.of({ 'aria-label': label || id, id }),
          linter(
            (ev) => {
              const r = expressionDiagnostics(ev.state.doc.toString(), language);
              setProblem(r.problem);
              return r.diagnostics;
            },
            { delay: 200 },
          ),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) {
              const text = u.state.doc.toString();
              latest.current.onChange(text === '' && !latest.current.required ? undefined : text);
            }
            if (u.focusChanged) {
              if (u.view.hasFocus) latest.current.onFocus(id, u.state.doc.toString());
              else latest.current.onBlur(id, u.state.doc.toString());
            }
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = undefined;
    };
  }, []);

  // Undo, paste or another panel may change the value from outside: show it without losing the cursor when equal.
  useEffect(() => {
    const v = view.current;
    const text = typeof value === 'string' ? value : '';
    if (v && v.state.doc.toString() !== text) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    }
  }, [value]);

  return (
    <div data-testid={`expr-${id}`}>
      <div ref={host} className={`${css.code} ${problem || rawErrors?.length ? css.codeInvalid : ''}`} />
      {problem && (
        <div className={css.syntax} role="alert" data-testid="syntax-error">
          Syntax: {problem.message}
          {problem.position !== undefined ? ` (at character ${problem.position})` : ''}
        </div>
      )}
    </div>
  );
}
