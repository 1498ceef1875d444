/** The topic browser's tree and value preview (renderer/src/panels/topic-tree.ts). */
import { describe, expect, it } from 'vitest';
import type { TopicView } from '../../renderer/src/api/mqtt-browse.js';
import { preview, treeRows } from '../../renderer/src/panels/topic-tree.js';

const topic = (t: string, rate: number, format: TopicView['format'] = 'json', value: unknown = 1): TopicView => ({
  topic: t,
  count: 1,
  ratePerSecond: rate,
  lastAt: 0,
  size: 1,
  retained: false,
  format,
  value,
  truncated: false,
});

describe('topic tree', () => {
  const topics = [
    topic('plant/line-1/temp', 2),
    topic('plant/line-1', 0.5),
    topic('plant/line-2/temp', 1),
    topic('other', 0),
  ];

  it('nests topics by level, sorted, with topic counts and rates summed per branch', () => {
    const rows = treeRows(topics, new Set());
    expect(rows.map((r) => `${'  '.repeat(r.depth)}${r.name} ${r.topics} ${r.rate}${r.topic ? ' *' : ''}`)).toEqual([
      'other 1 0 *',
      'plant 3 3.5',
      '  line-1 2 2.5 *',
      '    temp 1 2 *',
      '  line-2 1 1',
      '    temp 1 1 *',
    ]);
  });

  it('hides what is under a collapsed branch but still counts it', () => {
    const rows = treeRows(topics, new Set(['plant/line-1']));
    expect(rows.map((r) => r.path)).toEqual(['other', 'plant', 'plant/line-1', 'plant/line-2', 'plant/line-2/temp']);
    expect(rows.find((r) => r.path === 'plant/line-1')).toMatchObject({ topics: 2, hasChildren: true });
  });

  it('previews JSON compactly, text as is, Sparkplug as its metrics, and cuts long values', () => {
    expect(preview(topic('a', 0, 'json', { c: 1 }))).toBe('{"c":1}');
    expect(preview(topic('a', 0, 'text', 'on'))).toBe('on');
    expect(
      preview(
        topic('a', 0, 'sparkplug', {
          metrics: [
            { name: 't', value: 1.5 },
            { alias: 4, value: true },
          ],
        }),
      ),
    ).toBe('2 metrics: t=1.5, alias 4=true');
    expect(preview(topic('a', 0, 'text', 'x'.repeat(200)), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
