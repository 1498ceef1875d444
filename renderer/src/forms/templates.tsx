/**
 * rjsf templates in the editor's style: labelled fields with help text and inline errors, `x-advanced` fields in a
 * collapsed "Advanced" section, `x-showWhen` respected, and compact array items (a switch's rules).
 */
import type {
  ArrayFieldItemTemplateProps,
  DescriptionFieldProps,
  FieldTemplateProps,
  IconButtonProps,
  ObjectFieldTemplateProps,
  RJSFSchema,
  TemplatesType,
} from '@rjsf/utils';
import type { ReactNode } from 'react';
import { IconClose, IconPlus } from '../ui/icons.js';
import css from './SchemaForm.module.css';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Descriptions are written with `code` spans; show them as code, everything else as text. */
export function RichText({ text }: { text: string }) {
  const parts = text.split('`');
  // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string
  return <>{parts.map((p, i) => (i % 2 ? <code key={i}>{p}</code> : p))}</>;
}

/** `x-showWhen: { field: [values] }`: visible when the sibling field (or its default) has one of the values. */
export function isShown(fieldSchema: unknown, data: unknown, objectSchema: RJSFSchema): boolean {
  if (!isObject(fieldSchema) || !isObject(fieldSchema['x-showWhen'])) return true;
  const props = isObject(objectSchema.properties) ? objectSchema.properties : {};
  return Object.entries(fieldSchema['x-showWhen']).every(([field, values]) => {
    const own = isObject(data) ? data[field] : undefined;
    const sibling = props[field];
    const value = own !== undefined ? own : isObject(sibling) ? sibling.default : undefined;
    return Array.isArray(values) && values.some((v) => JSON.stringify(v) === JSON.stringify(value));
  });
}

function hasErrors(errorSchema: unknown): boolean {
  if (!isObject(errorSchema)) return false;
  return Object.entries(errorSchema).some(([k, v]) =>
    k === '__errors' ? Array.isArray(v) && v.length > 0 : hasErrors(v),
  );
}

function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const { properties, schema, formData, errorSchema, title, fieldPathId } = props;
  const fieldSchemas = isObject(schema.properties) ? schema.properties : {};
  const visible = properties.filter((p) => !p.hidden && isShown(fieldSchemas[p.name], formData, schema));
  const isAdvanced = (name: string) => {
    const s = fieldSchemas[name];
    return isObject(s) && s['x-advanced'] === true;
  };
  const basic = visible.filter((p) => !isAdvanced(p.name));
  const advanced = visible.filter((p) => isAdvanced(p.name));
  const advancedHasErrors = advanced.some((p) => hasErrors(isObject(errorSchema) ? errorSchema[p.name] : undefined));
  const nested = fieldPathId.path.length > 0;
  return (
    <div className={nested ? css.nestedObject : css.object}>
      {nested && title && !/^\d+$/.test(String(fieldPathId.path.at(-1))) && (
        <div className={css.objectTitle}>{title}</div>
      )}
      {basic.map((p) => (
        <div key={p.name}>{p.content}</div>
      ))}
      {advanced.length > 0 && (
        <details className={css.advanced} open={advancedHasErrors || undefined} data-testid="advanced">
          <summary>Advanced</summary>
          {advanced.map((p) => (
            <div key={p.name}>{p.content}</div>
          ))}
        </details>
      )}
    </div>
  );
}

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, rawErrors, rawDescription, hidden, required, displayLabel, schema } = props;
  if (hidden) return <div hidden>{children}</div>;
  if (schema.type === 'object' || schema.type === 'array') {
    return (
      <div className={css.group} data-field={id}>
        {schema.type === 'array' && displayLabel && label && <div className={css.label}>{label}</div>}
        {children}
        {rawErrors && rawErrors.length > 0 && <Errors errors={rawErrors} />}
      </div>
    );
  }
  const isBool = schema.type === 'boolean';
  return (
    <div className={`${css.field} ${rawErrors?.length ? css.fieldError : ''}`} data-field={id}>
      {displayLabel && !isBool && (
        <label htmlFor={id} className={css.label}>
          {label}
          {!required && <span className={css.optional}>optional</span>}
        </label>
      )}
      {children}
      {rawErrors && rawErrors.length > 0 && <Errors errors={rawErrors} />}
      {displayLabel && rawDescription && (
        <div className={css.help}>
          <RichText text={rawDescription} />
        </div>
      )}
    </div>
  );
}

function Errors({ errors }: { errors: string[] }) {
  return (
    <ul className={css.errors} data-testid="field-error">
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

function ArrayFieldItemTemplate(props: ArrayFieldItemTemplateProps) {
  const { children, buttonsProps, hasToolbar, registry, uiSchema } = props;
  const Buttons = registry.templates.ArrayFieldItemButtonsTemplate;
  return (
    <div className={css.arrayItem}>
      <div className={css.arrayItemBody}>{children}</div>
      {hasToolbar && (
        <div className={css.arrayItemTools}>
          <Buttons {...buttonsProps} uiSchema={uiSchema} registry={registry} />
        </div>
      )}
    </div>
  );
}

function SmallButton({
  props,
  title,
  children,
  danger,
}: {
  props: IconButtonProps;
  title: string;
  children: ReactNode;
  danger?: boolean;
}) {
  const { iconType: _t, icon: _i, uiSchema: _u, registry: _r, className: _c, ...rest } = props;
  return (
    <button
      type="button"
      title={title}
      aria-label={title}
      {...rest}
      className={`${css.iconButton} ${danger ? css.danger : ''}`}
    >
      {children}
    </button>
  );
}

const CopyButton = (p: IconButtonProps) => (
  <SmallButton props={p} title="Duplicate">
    ⧉
  </SmallButton>
);
const MoveUpButton = (p: IconButtonProps) => (
  <SmallButton props={p} title="Move up">
    ↑
  </SmallButton>
);
const MoveDownButton = (p: IconButtonProps) => (
  <SmallButton props={p} title="Move down">
    ↓
  </SmallButton>
);
const RemoveButton = (p: IconButtonProps) => (
  <SmallButton props={p} title="Remove" danger>
    <IconClose size={12} />
  </SmallButton>
);
const ClearButton = (p: IconButtonProps) => (
  <SmallButton props={p} title="Clear">
    <IconClose size={12} />
  </SmallButton>
);

function AddButton(props: IconButtonProps) {
  const { iconType: _t, icon: _i, uiSchema: _u, registry: _r, className: _c, ...rest } = props;
  return (
    <button type="button" {...rest} className={css.addButton}>
      <IconPlus size={13} /> Add
    </button>
  );
}

/**
 * Descriptions rjsf renders itself (an array's, a checkbox's): `code` as code, like every other help text, not raw
 * backticks.
 */
function DescriptionFieldTemplate({ id, description }: DescriptionFieldProps) {
  if (!description) return null;
  return (
    <div id={id} className={css.help}>
      {typeof description === 'string' ? <RichText text={description} /> : description}
    </div>
  );
}

export const templates: Partial<TemplatesType> = {
  ObjectFieldTemplate,
  DescriptionFieldTemplate,
  FieldTemplate,
  ArrayFieldItemTemplate,
  ButtonTemplates: {
    AddButton,
    CopyButton,
    MoveUpButton,
    MoveDownButton,
    RemoveButton,
    SubmitButton: () => null,
    ClearButton,
  },
};
