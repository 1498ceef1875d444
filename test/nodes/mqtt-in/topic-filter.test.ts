import { describe, expect, it } from 'vitest';
import { mqttIn } from '../../../nodes/mqtt-in/definition.js';
import { filterProblem } from '../../../nodes/mqtt-in/topic-filter.js';

describe('mqtt-in topic filters', () => {
  it('accepts wildcards and shared subscriptions', () => {
    for (const f of ['a/b', 'a/+/c', 'a/#', '#', '+', '+/+', '$share/g/a/#', '$share/g/+', '/a', 'a//b']) {
      expect(filterProblem(f), f).toBeUndefined();
    }
  });

  it('refuses malformed filters with the reason', () => {
    expect(filterProblem('')).toMatch(/empty/);
    expect(filterProblem('a/#/b')).toMatch(/last/);
    expect(filterProblem('a/b#')).toMatch(/whole level/);
    expect(filterProblem('a/b+/c')).toMatch(/whole level/);
    expect(filterProblem('$share/g')).toMatch(/\$share/);
    expect(filterProblem('$share//a')).toMatch(/\$share/);
    expect(filterProblem('$share/g+/a')).toMatch(/group/);
    expect(filterProblem('$share/g/')).toMatch(/needs a filter/);
  });

  it('lints the node config', () => {
    const issues = mqttIn.lint!({
      connection: 'b',
      topics: ['ok/#', 'bad/#/x', 'ok/#'],
      qos: 0,
      codec: 'json',
      window: 10,
    });
    expect(issues.map((i) => [i.path, i.severity ?? 'error'])).toEqual([
      ['/topics/1', 'error'],
      ['/topics/2', 'warning'],
      ['/qos', 'warning'],
    ]);
  });
});
