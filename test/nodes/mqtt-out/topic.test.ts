import { describe, expect, it } from 'vitest';
import { mqttOut } from '../../../nodes/mqtt-out/definition.js';
import { compileTopicTemplate, TopicError } from '../../../src/connectors/mqtt/topic.js';
import { createMessage } from '../../../src/spec/index.js';

const msg = createMessage({
  id: 'm1',
  topic: 'in/a',
  key: 'K',
  payload: { device: 'dev-7', n: 3, items: [{ id: 'x' }], nested: { site: 'plant' }, bad: 'a+b', empty: '' },
  headers: { kind: 'temp', 'content-type': 'application/json' },
});

async function render(template: string): Promise<string> {
  return compileTopicTemplate(template).render(msg);
}

describe('mqtt-out topics', () => {
  it('fills {{ }} parts (JSONata) from the message', async () => {
    expect(await render('sensors/{{payload.device}}/{{headers.kind}}')).toBe('sensors/dev-7/temp');
    expect(await render('{{topic}}/{{$lowercase(key)}}/{{id}}')).toBe('in/a/k/m1');
    expect(await render('n/{{payload.n}}/{{payload.items[0].id}}/{{payload.nested.site}}')).toBe('n/3/x/plant');
    expect(await render('h/{{headers.`content-type`}}')).toBe('h/application/json');
    expect(await render('fixed/topic')).toBe('fixed/topic');
  });

  it('fails a message whose topic cannot be made, with the reason', async () => {
    await expect(render('s/{{payload.missing}}')).rejects.toThrow(TopicError);
    await expect(render('s/{{payload.missing}}')).rejects.toThrow(/no value/);
    await expect(render('s/{{payload.nested}}')).rejects.toThrow(/not text/);
    await expect(render('s/{{payload.bad}}')).rejects.toThrow(/\+, # or NUL/);
    await expect(render('{{payload.empty}}')).rejects.toThrow(/empty/);
  });

  it('refuses a fixed topic with wildcards when the node starts, and lints the literal text', () => {
    expect(() => compileTopicTemplate('a/#')).toThrow(/\+, # or NUL/);
    const base = {
      connection: 'b',
      qos: 1,
      retain: false,
      codec: 'json' as const,
      userProperties: true,
      ackTimeoutMs: 1000,
      attempts: 1,
      retryDelayMs: 1,
      retryMaxDelayMs: 1,
    };
    const lint = (topic: string) => mqttOut.lint!({ ...base, topic }).map((i) => i.path);
    expect(lint('a/{{payload.x}}')).toEqual([]);
    expect(lint('a/+/{{payload.x}}')).toEqual(['/topic']);
    expect(lint('a/{{ "#" }}')).toEqual([]); // a part's value is checked per message
  });
});
