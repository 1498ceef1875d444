/**
 * One set of names in the catalogue: every node type and connection kind takes its common fields from the shared
 * builders (src/spec), so a setting has one name, title and unit everywhere. The lists are derived from the catalogue:
 * a node type added later is checked without editing this file.
 */
import { describe, expect, it } from 'vitest';
import { catalog } from '../../nodes/catalog.js';
import { renamedSettings } from '../../src/flow/migrate.js';
import {
  ackTimeoutProperty,
  CODECS,
  codecProperty,
  credentialProperties,
  reconnectProperties,
} from '../../src/spec/fields.js';
import { RETRY_FIELDS, retryProperties } from '../../src/spec/retry-schema.js';

type Field = Record<string, unknown>;
const props = (s: unknown) => (s as { properties: Record<string, Field> }).properties;
/** A field's shape without what each definition chooses itself (default, description, showWhen). */
function shape(f: unknown): Field {
  const { default: _d, description: _s, 'x-showWhen': _w, ...rest } = f as Field;
  return rest;
}

const everything = [
  ...catalog.nodes.map((d) => ({ name: `node ${d.type}`, def: d, fields: props(d.config) })),
  ...catalog.connections.map((d) => ({ name: `connection ${d.kind}`, def: d, fields: props(d.config) })),
];
const withField = (re: RegExp) => everything.filter((e) => Object.keys(e.fields).some((k) => re.test(k)));

describe('one set of names in the catalogue', () => {
  it('every node with retries has attempts, retryDelayMs and retryMaxDelayMs from the shared builder, and is a sink', () => {
    const builder = retryProperties({
      per: 'message',
      when: 'x',
      defaults: { attempts: 1, retryDelayMs: 1, retryMaxDelayMs: 1 },
    });
    const withRetries = catalog.nodes.filter((d) => Object.keys(props(d.config)).some((k) => /retry|attempt/i.test(k)));
    expect(withRetries.length).toBeGreaterThan(0);
    for (const def of withRetries) {
      expect(def.category, def.type).toBe('sink');
      const p = props(def.config);
      expect(
        Object.keys(p).filter((k) => /retry|attempt/i.test(k)),
        def.type,
      ).toEqual([...RETRY_FIELDS]);
      for (const name of RETRY_FIELDS) expect(shape(p[name]), `${def.type}.${name}`).toEqual(shape(builder[name]));
      // Its defaults pass its own lint rule: the first delay is not longer than the longest.
      expect(p.retryDelayMs.default as number, def.type).toBeLessThanOrEqual(p.retryMaxDelayMs.default as number);
    }
  });

  it('every connection kind with certificate verification calls it verifyServer', () => {
    const kinds = catalog.connections.filter((k) =>
      Object.keys(props(k.config)).some((f) => /verify|reject|unauthori[sz]ed/i.test(f)),
    );
    expect(kinds.length).toBeGreaterThan(0);
    for (const k of kinds) {
      expect(
        Object.keys(props(k.config)).filter((f) => /verify|reject|unauthori[sz]ed/i.test(f)),
        k.kind,
      ).toEqual(['verifyServer']);
    }
  });

  it('every payload format is `codec` from codecProperty', () => {
    const builder = codecProperty({ description: 'x' }).codec;
    const found = withField(/codec|encoding/i);
    expect(found.length).toBeGreaterThan(0);
    for (const e of found) {
      const names = Object.keys(e.fields).filter((k) => /codec|encoding/i.test(k));
      // One payload format per node, `codec`; a second format of the same node is `<what>Codec` (http-out's
      // responseCodec) and offers only shared codecs.
      expect(
        names.filter((n) => !/^[a-z]+Codec$/.test(n)),
        e.name,
      ).toEqual(['codec']);
      const { enum: _e, ...built } = shape(builder);
      const { enum: _f, ...field } = shape(e.fields.codec);
      expect(field, e.name).toEqual(built);
      // Every shared codec, then any of the protocol's own (HTTP's form), in the builder's order.
      expect((e.fields.codec.enum as string[]).slice(0, CODECS.length), e.name).toEqual([...CODECS]);
      for (const other of names.filter((n) => n !== 'codec')) {
        for (const c of e.fields[other].enum as string[]) expect(CODECS, `${e.name} ${other}`).toContain(c);
      }
    }
  });

  it('credentials are `username` and a secret `password`, from credentialProperties', () => {
    const builder = credentialProperties({ passwordExample: 'x' });
    const credential = /^(user|username|user_?name|login|password|pass|passwd)$/i;
    const found = withField(credential);
    expect(found.length).toBeGreaterThan(0);
    for (const e of found) {
      expect(
        Object.keys(e.fields).filter((k) => credential.test(k)),
        e.name,
      ).toEqual(['username', 'password']);
      expect(e.fields.username.title, e.name).toBe('Username');
      expect(shape(e.fields.password), e.name).toEqual(shape(builder.password));
    }
  });

  it('reconnect backoff is reconnectDelayMs / reconnectMaxDelayMs, from reconnectProperties', () => {
    const builder = reconnectProperties({ reconnectDelayMs: 1, reconnectMaxDelayMs: 1 });
    const found = withField(/reconnect/i);
    expect(found.length).toBeGreaterThan(0);
    for (const e of found) {
      expect(
        Object.keys(e.fields).filter((k) => /reconnect/i.test(k)),
        e.name,
      ).toEqual(['reconnectDelayMs', 'reconnectMaxDelayMs']);
      for (const name of ['reconnectDelayMs', 'reconnectMaxDelayMs'] as const) {
        const { minimum: _m, ...own } = shape(e.fields[name]);
        const { minimum: _m2, ...expected } = shape(builder[name]);
        expect(own, `${e.name}.${name}`).toEqual(expected);
      }
    }
  });

  it("the wait for a broker's acknowledgement is ackTimeoutMs, from ackTimeoutProperty", () => {
    const builder = ackTimeoutProperty({ default: 1, description: 'x' }).ackTimeoutMs;
    const found = withField(/(ack|confirm|publish).*timeout/i);
    expect(found.length).toBeGreaterThan(0);
    for (const e of found) {
      expect(
        Object.keys(e.fields).filter((k) => /(ack|confirm|publish).*timeout/i.test(k)),
        e.name,
      ).toEqual(['ackTimeoutMs']);
      expect(shape(e.fields.ackTimeoutMs), e.name).toEqual(shape(builder));
    }
  });

  it('durations carry their unit in the name: a title in (ms) ends in Ms, a title in (s) ends in Seconds', () => {
    for (const e of everything) {
      for (const [name, f] of Object.entries(e.fields)) {
        const title = String(f.title ?? '');
        if (/\(ms\)/.test(title)) expect(name, `${e.name}: "${title}"`).toMatch(/Ms$/);
        if (/\(s\)/.test(title)) expect(name, `${e.name}: "${title}"`).toMatch(/Seconds$/);
      }
    }
  });

  it('no field still has a name declared as renamed', () => {
    const renamed = renamedSettings(catalog);
    for (const d of catalog.nodes) {
      for (const old of Object.keys(renamed.nodes[d.type] ?? {})) expect(props(d.config)[old], d.type).toBeUndefined();
    }
    for (const k of catalog.connections) {
      for (const old of Object.keys(renamed.connections[k.kind] ?? {})) {
        expect(props(k.config)[old], k.kind).toBeUndefined();
      }
    }
  });
});
