/**
 * A secret field: accepts only a reference, `${env:NAME}` or `${file:/path}`, composed from a source and a name,
 * so that no secret is ever written into the flow. A literal found in an opened file is flagged, not shown.
 */
import type { WidgetProps } from '@rjsf/utils';
import { useState } from 'react';
import { findReferences, isWholeReference } from '../../../../src/flow/index.js';
import css from '../SchemaForm.module.css';

type Kind = 'env' | 'file';

function parse(value: unknown): { kind: Kind; name: string; literal: boolean } {
  if (typeof value !== 'string' || value === '') return { kind: 'env', name: '', literal: false };
  if (isWholeReference(value)) {
    const ref = findReferences(value)[0];
    return { kind: ref.kind, name: ref.name, literal: false };
  }
  return { kind: 'env', name: '', literal: true };
}

export function referenceProblem(kind: Kind, name: string): string | undefined {
  if (name === '') return undefined;
  if (kind === 'env' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    return 'An environment variable name: letters, digits and _, e.g. MQTT_PASSWORD';
  if (kind === 'file' && !name.startsWith('/')) return 'An absolute file path, e.g. /run/secrets/mqtt';
  if (name.includes('}')) return 'A name cannot contain "}"';
  return undefined;
}

export function SecretWidget(props: WidgetProps) {
  const { id, value, onChange, disabled, readonly } = props;
  const initial = parse(value);
  const [kind, setKind] = useState<Kind>(initial.kind);
  const [name, setName] = useState(initial.name);
  const problem = referenceProblem(kind, name);

  const commit = (k: Kind, n: string) => {
    // Pasting a whole reference into the name field works too.
    const pasted = isWholeReference(n.trim()) ? findReferences(n.trim())[0] : undefined;
    const nextKind = pasted?.kind ?? k;
    const nextName = pasted?.name ?? n.trim();
    setKind(nextKind);
    setName(nextName);
    if (referenceProblem(nextKind, nextName)) return;
    onChange(nextName ? `\${${nextKind}:${nextName}}` : undefined);
  };

  return (
    <div className={css.secret} data-testid={`secret-${id}`}>
      <div className={css.secretRow}>
        <select
          aria-label="Secret source"
          value={kind}
          disabled={disabled || readonly}
          onChange={(e) => commit(e.target.value as Kind, name)}
        >
          <option value="env">Environment variable</option>
          <option value="file">File</option>
        </select>
        <input
          id={id}
          type="text"
          spellCheck={false}
          autoComplete="off"
          value={name}
          disabled={disabled || readonly}
          placeholder={kind === 'env' ? 'MQTT_PASSWORD' : '/run/secrets/mqtt'}
          onChange={(e) => commit(kind, e.target.value)}
        />
      </div>
      {problem && <div className={css.syntax}>{problem}</div>}
      {initial.literal && !name && (
        <div className={css.syntax}>
          This secret was written into the flow as text. Replace it with a reference; it is never saved.
        </div>
      )}
      <div className={css.help}>
        Stored as <code>{name && !problem ? `\${${kind}:${name}}` : `\${${kind}:…}`}</code>, resolved only when the flow
        runs.
      </div>
    </div>
  );
}
