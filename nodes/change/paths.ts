/**
 * Field paths of the change node: `payload`, `payload.a.b` (a number segment indexes an array), `topic`, `key`,
 * `headers` and `headers.<name>` (the rest of the path is the header name, dots and all). Isomorphic: the definition's
 * lint uses the parser, the runtime the getters and setters. Setters copy the containers along the path (never change
 * the input's objects), so a payload shared with another holder stays as it was.
 */

export type FieldRoot = 'payload' | 'topic' | 'key' | 'headers';

export interface FieldPath {
  readonly text: string;
  readonly root: FieldRoot;
  /** Payload: the property names below it; headers: one segment, the header name. */
  readonly segments: readonly string[];
}

/** Property names that would reach an object's prototype: never a segment. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** The path, or an Error saying what is wrong with it. */
export function parseFieldPath(text: string): FieldPath | Error {
  const t = text.trim();
  const dot = t.indexOf('.');
  const root = dot < 0 ? t : t.slice(0, dot);
  const rest = dot < 0 ? undefined : t.slice(dot + 1);
  switch (root) {
    case 'topic':
    case 'key':
      if (rest !== undefined) return new Error(`"${root}" is a string: it has no fields (write just "${root}")`);
      return { text: t, root, segments: [] };
    case 'headers':
      if (rest === undefined) return { text: t, root, segments: [] };
      if (rest === '') return new Error('a header name is missing after "headers."');
      return { text: t, root, segments: [rest] };
    case 'payload': {
      if (rest === undefined) return { text: t, root, segments: [] };
      const segments = rest.split('.');
      for (const s of segments) {
        if (s === '') return new Error(`"${t}" has an empty segment (two dots, or a dot at the end)`);
        if (FORBIDDEN.has(s)) return new Error(`"${s}" cannot be a field name here`);
      }
      return { text: t, root, segments };
    }
    default:
      return new Error(`"${t}" must start with payload, topic, key or headers (e.g. payload.temp, headers.site)`);
  }
}

/** What change rules read and write: a message's fields (its own copy, see the runtime). */
export interface Fields {
  payload: unknown;
  topic?: string;
  key?: string;
  headers: Record<string, string>;
  /** `headers` is already this message's own copy (changed in place from then on). */
  headersOwned?: boolean;
  /** The payload's top-level object is already this message's own copy (deeper objects are still copied). */
  payloadOwned?: boolean;
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function child(container: unknown, segment: string): unknown {
  if (!isContainer(container)) return undefined;
  if (Array.isArray(container)) return /^\d+$/.test(segment) ? container[Number(segment)] : undefined;
  return Object.hasOwn(container, segment) ? container[segment] : undefined;
}

export function getField(fields: Fields, path: FieldPath): unknown {
  switch (path.root) {
    case 'topic':
      return fields.topic;
    case 'key':
      return fields.key;
    case 'headers':
      return path.segments.length ? fields.headers[path.segments[0]] : fields.headers;
    default: {
      let v = fields.payload;
      for (const s of path.segments) v = child(v, s);
      return v;
    }
  }
}

/** A header, topic or key value: strings as they are, anything else as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `container` with `segments[i..]` set to `value` (undefined: removed), copied along the way. */
function setIn(
  container: unknown,
  segments: readonly string[],
  i: number,
  value: unknown,
  text: string,
  owned = false,
): unknown {
  const s = segments[i];
  let copy: Record<string, unknown> | unknown[];
  if (value === undefined && !isContainer(container)) return container; // nothing there to delete
  if (container === undefined || container === null) copy = {};
  else if (!isContainer(container)) {
    const at = ['payload', ...segments.slice(0, i)].join('.');
    throw new Error(`cannot reach ${text}: ${at} is ${typeof container}, not an object`);
  } else if (owned) copy = container;
  else copy = Array.isArray(container) ? container.slice() : { ...container };
  const last = i === segments.length - 1;
  const next = last ? value : setIn(child(copy, s), segments, i + 1, value, text);
  if (Array.isArray(copy) && /^\d+$/.test(s)) {
    const index = Number(s);
    if (next === undefined) {
      if (index < copy.length) copy.splice(index, 1);
    } else copy[index] = next;
  } else if (Array.isArray(copy)) {
    throw new Error(`cannot reach ${text}: "${s}" is not an index of the array there`);
  } else if (next === undefined) delete copy[s];
  else copy[s] = next;
  return copy;
}

/** Sets the field to `value`; `undefined` deletes it (a deleted payload becomes null, deleted headers an empty set). */
export function setField(fields: Fields, path: FieldPath, value: unknown): void {
  switch (path.root) {
    case 'topic':
      fields.topic = value === undefined || value === null ? undefined : asText(value);
      return;
    case 'key':
      fields.key = value === undefined || value === null ? undefined : asText(value);
      return;
    case 'headers': {
      if (path.segments.length === 0) {
        if (value === undefined || value === null) fields.headers = {};
        else if (typeof value !== 'object' || Array.isArray(value)) {
          throw new Error(`headers can only be set to an object of names and values, not ${typeof value}`);
        } else {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = asText(v);
          fields.headers = out;
        }
        fields.headersOwned = true;
        return;
      }
      const headers = fields.headersOwned ? fields.headers : { ...fields.headers };
      const name = path.segments[0];
      if (value === undefined || value === null) delete headers[name];
      else headers[name] = asText(value);
      fields.headers = headers;
      fields.headersOwned = true;
      return;
    }
    default:
      if (path.segments.length === 0) {
        fields.payload = value === undefined ? null : value;
        fields.payloadOwned = false; // a value from elsewhere (a field, a literal): copied before it is changed
      } else {
        const before = fields.payload;
        fields.payload = setIn(before, path.segments, 0, value, path.text, fields.payloadOwned);
        // What setIn returned is a copy it made (or the copy we had): ours to change in place from now on.
        if (fields.payload !== before || fields.payloadOwned) fields.payloadOwned = isContainer(fields.payload);
      }
  }
}
