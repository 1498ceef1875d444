/** One subflow parameter's value field: text, a number, or true/false; empty means "the subflow's default". */
import type { SubflowParameter } from '../../../src/flow/index.js';

/** The value typed, in the parameter's type when it reads as one (the validator names anything else). */
export function parseParameter(param: SubflowParameter, text: string): unknown {
  if (param.type === 'number' || param.type === 'integer') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  return text;
}

export function ParameterInput({
  id,
  param,
  value,
  placeholder,
  onChange,
}: {
  id: string;
  param: SubflowParameter;
  value: unknown;
  placeholder?: string;
  /** undefined: unset (the default applies). */
  onChange(value: unknown): void;
}) {
  if (param.type === 'boolean') {
    return (
      <select
        id={id}
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}
      >
        <option value="">{placeholder ? `default (${placeholder})` : '—'}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  return (
    <input
      id={id}
      type="text"
      inputMode={param.type === 'string' ? 'text' : 'decimal'}
      value={value === undefined ? '' : String(value)}
      placeholder={placeholder}
      onChange={(e) => onChange(e.target.value === '' ? undefined : parseParameter(param, e.target.value))}
    />
  );
}
