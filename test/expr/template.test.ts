import { describe, expect, it } from 'vitest';
import { compileCheckedTemplate, compileTemplate, TemplateError, templateProblem } from '../../src/expr/template.js';

const msg = { topic: 'site/a', payload: { device: 'd1', n: 3, list: [1, 2], nested: { x: 'y' } }, headers: { k: 'v' } };

describe('templates', () => {
  it('renders literal text and JSONata parts', async () => {
    expect(compileTemplate('fixed').constant).toBe('fixed');
    expect(compileTemplate('s/{{payload.device}}/{{payload.n}}').render(msg)).toBe('s/d1/3');
    expect(compileTemplate('{{$uppercase(payload.nested.x)}}-{{headers.k}}').render(msg)).toBe('Y-v');
    // A part the fast path does not cover still works (through the interpreter).
    expect(
      await compileTemplate('{{$join($map(payload.list, function($v){ $string($v * 2) }), "-")}}').render(msg),
    ).toBe('2-4');
  });

  it('a part with no value or a non-text value is a TemplateError naming the part', () => {
    expect(() => compileTemplate('a.{{payload.missing}}').render(msg)).toThrow(TemplateError);
    expect(() => compileTemplate('a.{{payload.missing}}').render(msg)).toThrow('{{payload.missing}} has no value');
    expect(() => compileTemplate('{{payload.list}}').render(msg)).toThrow('gave an array, not text');
  });

  it('a checked template checks each rendered text: one that passed is not checked again, a bad one in between fails', () => {
    const checkedTexts: string[] = [];
    const t = compileCheckedTemplate(
      'http://{{payload.host}}/x',
      'url',
      (text) => {
        checkedTexts.push(text);
        return text.includes(' ') ? `"${text}" holds a space` : undefined;
      },
      (m) => new Error(m),
    );
    expect(t.render({ payload: { host: 'a' } })).toBe('http://a/x');
    expect(t.render({ payload: { host: 'a' } })).toBe('http://a/x');
    expect(() => t.render({ payload: { host: 'b c' } })).toThrow('url: "http://b c/x" holds a space');
    expect(t.render({ payload: { host: 'a' } })).toBe('http://a/x');
    expect(() => t.render({ payload: { host: 'b c' } })).toThrow('holds a space');
    expect(checkedTexts).toEqual(['http://a/x', 'http://b c/x', 'http://b c/x']);
  });

  it('explains malformed templates', () => {
    expect(templateProblem('a/{{payload.x')).toBe('"{{" at character 3 is not closed by "}}"');
    expect(templateProblem('{{ }}')).toBe('empty "{{ }}" at character 1');
    expect(templateProblem('{{payload.(}}')).toMatch(
      /^\{\{payload\.\(\}\} at character 1 is not a valid JSONata expression/,
    );
    expect(templateProblem('ok/{{topic}}')).toBeUndefined();
  });
});
