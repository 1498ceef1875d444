/**
 * The one generic property form: rjsf over a node type's (or connection kind's) config JSON Schema, with widgets
 * chosen by the schema's `x-` annotations and errors from the flow validator placed inline.
 */
import Form from '@rjsf/core';
import type { ErrorSchema, RegistryWidgetsType, RJSFSchema } from '@rjsf/utils';
import { memo, useMemo } from 'react';
import { jsonEqual } from '../model/equal.js';
import { formSchema, userValues } from './form-schema.js';
import css from './SchemaForm.module.css';
import { templates } from './templates.js';
import { uiSchemaFor } from './ui-schema.js';
import { formValidator } from './validator.js';
import { ConnectionWidget } from './widgets/ConnectionWidget.js';
import { LazyExpressionWidget } from './widgets/LazyExpressionWidget.js';
import { SecretWidget } from './widgets/SecretWidget.js';

const widgets: RegistryWidgetsType = {
  expression: LazyExpressionWidget,
  secret: SecretWidget,
  connection: ConnectionWidget,
};

export interface SchemaFormProps {
  /** Distinguishes forms (node id): rjsf's field ids are prefixed with it so that two forms never share ids. */
  idPrefix: string;
  schema: unknown;
  value: Record<string, unknown>;
  errors: ErrorSchema;
  onChange(value: Record<string, unknown>): void;
}

function SchemaFormView({ idPrefix, schema, value, errors, onChange }: SchemaFormProps) {
  const rjsfSchema = formSchema(schema) as RJSFSchema;
  const uiSchema = useMemo(() => uiSchemaFor(schema), [schema]);
  return (
    <div className={css.form}>
      <Form
        schema={rjsfSchema}
        uiSchema={uiSchema}
        formData={value}
        validator={formValidator}
        widgets={widgets}
        templates={templates}
        extraErrors={errors}
        showErrorList={false}
        noHtml5Validate
        idPrefix={idPrefix}
        onChange={(e) => {
          if (!e.formData || typeof e.formData !== 'object') return;
          const next = userValues(e.formData as Record<string, unknown>, value, schema);
          if (!jsonEqual(next, value)) onChange(next);
        }}
        onSubmit={() => undefined}
        tagName="div"
      />
    </div>
  );
}

export const SchemaForm = memo(SchemaFormView);
