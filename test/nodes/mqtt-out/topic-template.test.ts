import { describe, expect, it } from 'vitest';
import { compileTopicTemplate, templateProblem } from '../../../nodes/mqtt-out/topic-template.js';
import { createMessage } from '../../../src/spec/index.js';

const msg = createMessage({
  id: 'm1',
  topic: 'in/a',
  key: 'k',
  payload: { device: 'dev-7', n: 3, items: [{ id: 'x' }], nested: { site: 'plant' }, bad: 'a+b', empty: '' },
  headers: { kind: 'temp', 'a.b': 'dotted' },
});

describe('mqtt-out topic templates', () => {
  it('fills placeholders from the message', () => {
    expect(compileTopicTemplate('sensors/{{payload.device}}/{{ headers.kind }}').render(msg)).toBe(
      'sensors/dev-7/temp',
    );
    expect(compileTopicTemplate('{{topic}}/{{key}}/{{id}}').render(msg)).toBe('in/a/k/m1');
    expect(compileTopicTemplate('n/{{payload.n}}/{{payload.items.0.id}}/{{payload.nested.site}}').render(msg)).toBe(
      'n/3/x/plant',
    );
    expect(compileTopicTemplate('h/{{headers.a.b}}').render(msg)).toBe('h/dotted');
    expect(compileTopicTemplate('fixed/topic').render(msg)).toBe('fixed/topic');
  });

  it('fails a message whose placeholder has no usable value', () => {
    expect(() => compileTopicTemplate('s/{{payload.missing}}').render(msg)).toThrow(/missing/);
    expect(() => compileTopicTemplate('s/{{payload.nested}}').render(msg)).toThrow(/not a string or number/);
    expect(() => compileTopicTemplate('s/{{payload.bad}}').render(msg)).toThrow(/\+, # or NUL/);
    expect(() => compileTopicTemplate('s/{{payload.empty}}').render(msg)).toThrow(/empty/);
  });

  it('lints templates', () => {
    expect(templateProblem('a/{{payload.x}}')).toBeUndefined();
    expect(templateProblem('a/#')).toMatch(/cannot contain/);
    expect(templateProblem('a/{{nope}}')).toMatch(/not a message field/);
    expect(templateProblem('a/{{payload.x}')).toMatch(/unbalanced/);
    expect(templateProblem(' ')).toMatch(/empty/);
  });
});
