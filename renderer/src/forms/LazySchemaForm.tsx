/**
 * The property form, loaded on first use: rjsf and what it brings (markdown, schema merging) are a fifth of the
 * editor's script, and opening a flow draws the canvas before any form is needed.
 */
import { lazy, Suspense } from 'react';
import type { SchemaFormProps } from './SchemaForm.js';
import css from './SchemaForm.module.css';

const SchemaForm = lazy(() => import('./SchemaForm.js').then((m) => ({ default: m.SchemaForm })));

export function LazySchemaForm(props: SchemaFormProps) {
  return (
    <Suspense fallback={<div className={css.form} aria-busy="true" />}>
      <SchemaForm {...props} />
    </Suspense>
  );
}
