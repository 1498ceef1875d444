import { describe, expect, it } from 'vitest';
import { shortestFloat } from '../../../src/connectors/sparkplug/arrays.js';
import { decodeSparkplugPayload, encodeSparkplugPayload } from '../../../src/connectors/sparkplug/codec.js';
import { decodeSparkplug } from '../../../src/connectors/sparkplug/decode.js';
import { encodeSparkplug } from '../../../src/connectors/sparkplug/encode.js';
import { PayloadType } from '../../../src/connectors/sparkplug/schema.js';

const roundTrip = (payload: unknown) => decodeSparkplug(encodeSparkplug(payload));

describe('sparkplug codec', () => {
  it('round-trips every scalar datatype with its value', () => {
    const metrics = [
      { name: 'i8', datatype: 'Int8', value: -5 },
      { name: 'i16', datatype: 'Int16', value: -30000 },
      { name: 'i32', datatype: 'Int32', value: -2147483648 },
      { name: 'i64', datatype: 'Int64', value: -42 },
      { name: 'u8', datatype: 'UInt8', value: 255 },
      { name: 'u16', datatype: 'UInt16', value: 65535 },
      { name: 'u32', datatype: 'UInt32', value: 4294967295 },
      { name: 'u64', datatype: 'UInt64', value: 9007199254740991 },
      { name: 'f', datatype: 'Float', value: 21.3 },
      { name: 'd', datatype: 'Double', value: 0.1 },
      { name: 'b', datatype: 'Boolean', value: false },
      { name: 's', datatype: 'String', value: 'héllo' },
      { name: 'dt', datatype: 'DateTime', value: 1_765_000_000_000 },
      { name: 'txt', datatype: 'Text', value: 'long text' },
      { name: 'uuid', datatype: 'UUID', value: '6f1c0c1e-1111-2222-3333-444455556666' },
      { name: 'bytes', datatype: 'Bytes', value: Buffer.from([0, 1, 254]).toString('base64') },
    ];
    const decoded = roundTrip({ timestamp: 1_765_000_000_123, seq: 7, metrics });
    expect(decoded.timestamp).toBe(1_765_000_000_123);
    expect(decoded.seq).toBe(7);
    expect(decoded.metrics).toEqual(metrics);
  });

  it('keeps 64-bit integers beyond 2^53 exact as decimal strings', () => {
    const decoded = roundTrip({
      metrics: [
        { name: 'big', datatype: 'UInt64', value: '18446744073709551615' },
        { name: 'neg', datatype: 'Int64', value: '-9223372036854775808' },
        { name: 'bigint', datatype: 'Int64', value: 9007199254740993n },
      ],
    });
    expect(decoded.metrics.map((m) => m.value)).toEqual([
      '18446744073709551615',
      '-9223372036854775808',
      '9007199254740993',
    ]);
  });

  it('round-trips arrays, DataSets, Templates, properties and nulls', () => {
    const metrics = [
      { name: 'a/i16', datatype: 'Int16Array', value: [-1, 2, 32767] },
      { name: 'a/u64', datatype: 'UInt64Array', value: [0, '18446744073709551615'] },
      { name: 'a/f', datatype: 'FloatArray', value: [1.5, 21.3] },
      { name: 'a/b', datatype: 'BooleanArray', value: [true, false, true, true, false, false, false, false, true] },
      { name: 'a/s', datatype: 'StringArray', value: ['x', '', 'zz'] },
      {
        name: 'ds',
        datatype: 'DataSet',
        value: {
          columns: ['n', 'label'],
          types: ['Int32', 'String'],
          rows: [
            [1, 'one'],
            [-2, 'two'],
          ],
        },
      },
      {
        name: 'tpl',
        datatype: 'Template',
        value: {
          templateRef: 'Motor',
          metrics: [{ name: 'rpm', datatype: 'Float', value: 1500 }],
          parameters: [{ name: 'rated', type: 'Double', value: 1.5 }],
        },
      },
      {
        name: 'withProps',
        datatype: 'Double',
        value: 3.5,
        properties: { engUnit: { type: 'String', value: '°C' }, quality: { type: 'Int32', value: 192 } },
      },
      { name: 'nothing', datatype: 'Int32', value: null, isNull: true },
    ];
    expect(roundTrip({ metrics }).metrics).toEqual(metrics);
  });

  it("infers datatypes from plain values and accepts Eclipse Tahu's `type`", () => {
    const decoded = roundTrip({
      metrics: [
        { name: 'n', value: 20.5 },
        { name: 'on', value: true },
        { name: 's', value: 'x' },
        { name: 'list', value: [1, 2] },
        { name: 't', type: 'Int32', value: 3 },
      ],
    });
    expect(decoded.metrics.map((m) => [m.datatype, m.value])).toEqual([
      ['Double', 20.5],
      ['Boolean', true],
      ['String', 'x'],
      ['DoubleArray', [1, 2]],
      ['Int32', 3],
    ]);
  });

  it('reads values written the way other implementations write them', () => {
    // An Int8 as an 8-bit two's complement (0xFF) and an Int32 as 32-bit; an alias-only metric with no datatype.
    const bytes = PayloadType.encode({
      seq: 3,
      metrics: [
        { name: 'i8', datatype: 1, intValue: 0xff },
        { name: 'i32', datatype: 3, intValue: 0xfffffffe },
        { alias: 12, longValue: 5 },
      ],
    }).finish();
    const decoded = decodeSparkplug(bytes);
    expect(decoded.metrics).toEqual([
      { name: 'i8', datatype: 'Int8', value: -1 },
      { name: 'i32', datatype: 'Int32', value: -2 },
      { alias: 12, datatype: 'Unknown', value: 5 },
    ]);
  });

  it('shows a Float as the shortest decimal that reads back to the same float32', () => {
    const cases: Array<[number, number]> = [
      [21.3, 21.3],
      [0.1, 0.1],
      [1 / 3, 0.33333334],
      [123456.7, 123456.7],
      [0.000123, 0.000123],
      [1e-7, 1e-7],
      [3.4e38, 3.4e38],
      [16777217, 16777216],
      [-7.25, -7.25],
    ];
    for (const [given, shown] of cases) expect(shortestFloat(Math.fround(given))).toBe(shown);
    // Whatever the value, it reads back to the same float32.
    for (let i = 0; i < 10_000; i++) {
      const f = Math.fround((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 20 - 10));
      expect(Math.fround(shortestFloat(f))).toBe(f);
    }
  });

  it('fails bytes that are not Sparkplug with the reason, and bad metrics with the metric named', () => {
    const bad = decodeSparkplugPayload(Buffer.from('{"not":"protobuf"}'));
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.reason).toMatch(/^the payload is not a Sparkplug B payload: /);
    expect(() => encodeSparkplugPayload({ metrics: [{ name: 'rpm', datatype: 'UInt8', value: 300 }] })).toThrow(
      'the sparkplug codec cannot send this payload: metric "rpm" is a UInt8: an integer from 0 to 255, not 300',
    );
    expect(() => encodeSparkplugPayload({ metrics: [{ name: 'x', datatype: 'Nope', value: 1 }] })).toThrow(
      /metric "x": unknown datatype "Nope"/,
    );
    expect(() => encodeSparkplugPayload({ metrics: [{ name: 'o', value: { a: 1 } }] })).toThrow(/give a datatype/);
    expect(() => encodeSparkplugPayload('text')).toThrow(/is an object/);
    expect(() => encodeSparkplugPayload({ seq: 256, metrics: [] })).toThrow(/seq must be an integer from 0 to 255/);
  });
});
