/** rjsf uiSchema from the schema's `x-` annotations: which widget each field gets. */
import type { UiSchema } from '@rjsf/utils';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function widgetFor(schema: Json): string | undefined {
  if (schema['x-secret']) return 'secret';
  switch (schema['x-widget']) {
    case 'expression':
    case 'code':
    case 'template':
      return 'expression';
    case 'connection':
      return 'connection';
    case 'textarea':
      return 'textarea';
    default:
      return schema['x-connection'] ? 'connection' : undefined;
  }
}

function fieldUi(schema: unknown): UiSchema {
  if (!isObject(schema)) return {};
  const ui: UiSchema = {};
  const widget = widgetFor(schema);
  if (widget) ui['ui:widget'] = widget;
  if (isObject(schema.properties)) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      const child = fieldUi(sub);
      if (Object.keys(child).length) ui[key] = child;
    }
  }
  if (isObject(schema.items)) {
    const items = fieldUi(schema.items);
    if (Object.keys(items).length) ui.items = items;
  }
  return ui;
}

export function uiSchemaFor(schema: unknown): UiSchema {
  return {
    ...fieldUi(schema),
    'ui:submitButtonOptions': { norender: true },
    // Titles come from each field; the object itself needs no heading inside the panel.
    'ui:options': { label: false },
  };
}
