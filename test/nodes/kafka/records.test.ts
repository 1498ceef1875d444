import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../../src/connectors/kafka/codec.js';
import { inboundMessage, outboundRecord } from '../../../src/connectors/kafka/records.js';
import { compileTopicTemplate, TopicError } from '../../../src/connectors/kafka/topic-template.js';
import { createMessage } from '../../../src/spec/message.js';

describe('Kafka records', () => {
  it('a record becomes a message with a stable id, its key and headers, and the envelope', () => {
    const r = {
      offset: '42',
      key: Buffer.from('dev-1'),
      value: Buffer.from('{"t":21.5}'),
      headers: { site: Buffer.from('plant-7'), dup: [Buffer.from('a'), Buffer.from('b')] },
      timestamp: '1700000000000',
    };
    const { message, failure } = inboundMessage('readings', 3, r, 'json');
    expect(failure).toBeUndefined();
    expect(message).toMatchObject({
      id: 'readings/3/42',
      topic: 'readings',
      key: 'dev-1',
      payload: { t: 21.5 },
      headers: {
        site: 'plant-7',
        'kafka-topic': 'readings',
        'kafka-partition': '3',
        'kafka-offset': '42',
        'kafka-timestamp': '1700000000000',
      },
    });
    expect(message.headers.dup).toBeUndefined(); // repeated: all values in wire, none picked for headers
    expect({ ...message.wire }).toEqual({ site: 'plant-7', dup: ['a', 'b'] });
    expect(inboundMessage('readings', 3, r, 'json').message.id).toBe(message.id);
  });

  it("record headers never pose as Sluice's headers; kafka-out sends them back as they came", () => {
    // As kafkajs decodes a `__proto__` header: Object.prototype first, then the value.
    const proto = [Object.prototype as unknown as Buffer, Buffer.from('p')];
    const headers: Record<string, Buffer | Buffer[]> = {
      'kafka-offset': Buffer.from('999'),
      'kafka-topic': Buffer.from('elsewhere'),
      'sluice-error': Buffer.from('forged'),
      'Content-Type': Buffer.from('text/evil'),
      tag: [Buffer.from('a'), Buffer.from('b')],
      site: Buffer.from('plant-7'),
    };
    Object.defineProperty(headers, '__proto__', { value: proto, enumerable: true });
    const r = { offset: '42', key: null, value: Buffer.from('1'), headers, timestamp: '0' };
    const { message } = inboundMessage('readings', 3, r, 'json');
    expect(message.headers).toEqual({
      site: 'plant-7',
      'kafka-topic': 'readings',
      'kafka-partition': '3',
      'kafka-offset': '42',
      'kafka-timestamp': '0',
    });
    const received = {
      'kafka-offset': '999',
      'kafka-topic': 'elsewhere',
      'sluice-error': 'forged',
      'Content-Type': 'text/evil',
      tag: ['a', 'b'],
      site: 'plant-7',
    };
    expect({ ...message.wire }).toEqual({ ...received, ['__proto__']: 'p' });
    expect(Object.hasOwn(message.wire ?? {}, '__proto__')).toBe(true);

    // Out: the received headers as they came, the flow's own on top (its `site` replaces the received one), the
    // engine's `sluice-error` after the received one; the envelope of this record is not sent.
    message.headers.site = 'plant-9';
    message.headers['sluice-error'] = 'the real reason';
    const record = outboundRecord(message, 'out', { codec: 'json', copyHeaders: true, idHeader: '' });
    expect({ ...record.headers }).toEqual({
      ...received,
      ['__proto__']: 'p',
      site: 'plant-9',
      'sluice-error': ['forged', 'the real reason'],
    });
    delete message.headers.site; // a header the flow removed is not sent
    expect(outboundRecord(message, 'out', { codec: 'json', copyHeaders: true, idHeader: '' }).headers.site).toBe(
      undefined,
    );
  });

  it('a value the codec cannot read is a failure with the text kept; a binary key arrives as base64', () => {
    const r = { offset: '1', key: Buffer.from([0xff, 0xfe]), value: Buffer.from('{not json'), timestamp: '0' };
    const { message, failure } = inboundMessage('t', 0, r, 'json');
    expect(failure).toMatch(/not valid JSON/);
    expect(message.payload).toBe('{not json');
    expect(message.key).toBe('//4=');
    expect(message.headers['kafka-key-encoding']).toBe('base64');
    expect(decode(Buffer.from([0xc3, 0x28]), 'text')).toMatchObject({ ok: false });
    expect(decode(null, 'json')).toEqual({ ok: true, payload: null });
  });

  it('a message becomes a record: key, value by codec, headers without the envelope, the id header', () => {
    const msg = createMessage({
      id: 'm-1',
      key: 'dev-1',
      payload: { t: 1 },
      headers: { site: 'x', 'kafka-offset': '9' },
      timestamp: 5,
    });
    expect(outboundRecord(msg, 'out', { codec: 'json', copyHeaders: true, idHeader: 'sluice-id' })).toEqual({
      topic: 'out',
      key: 'dev-1',
      value: Buffer.from('{"t":1}'),
      headers: { site: 'x', 'sluice-id': 'm-1' },
      timestamp: '5',
    });
    expect(encode(null, 'bytes')).toBeNull();
    expect(() => encode({ a: 1 }, 'text')).toThrow(/cannot send/);
  });
});

describe('topic templates', () => {
  const msg = createMessage({ topic: 'plant/7/temp', payload: { site: 'north', n: 3 } });

  it('renders literal text and JSONata parts', async () => {
    expect(compileTopicTemplate('readings').render(msg)).toBe('readings');
    expect(await compileTopicTemplate('mqtt.{{$replace(topic, "/", ".")}}').render(msg)).toBe('mqtt.plant.7.temp');
    expect(await compileTopicTemplate('site-{{payload.site}}-{{payload.n}}').render(msg)).toBe('site-north-3');
  });

  it('fails a message whose topic is missing or not a valid name, and refuses a bad fixed topic at once', async () => {
    await expect(async () => compileTopicTemplate('{{payload.nope}}').render(msg)).rejects.toThrow(TopicError);
    await expect(async () => compileTopicTemplate('{{topic}}').render(msg)).rejects.toThrow(/not a valid topic name/);
    expect(() => compileTopicTemplate('a b')).toThrow(/not a valid topic name/);
    expect(() => compileTopicTemplate('x{{topic')).toThrow(/not closed/);
  });
});
