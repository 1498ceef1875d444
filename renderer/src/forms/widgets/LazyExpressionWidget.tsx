/**
 * The expression editor, loaded on first use: CodeMirror and the JSONata parser are a third of the editor's code
 * and no field needs them until a node with expressions is selected.
 */
import type { WidgetProps } from '@rjsf/utils';
import { lazy, Suspense } from 'react';
import css from '../SchemaForm.module.css';

const ExpressionWidget = lazy(() => import('./ExpressionWidget.js').then((m) => ({ default: m.ExpressionWidget })));

export function LazyExpressionWidget(props: WidgetProps) {
  return (
    <Suspense fallback={<pre className={css.codeFallback}>{typeof props.value === 'string' ? props.value : ''}</pre>}>
      <ExpressionWidget {...props} />
    </Suspense>
  );
}
