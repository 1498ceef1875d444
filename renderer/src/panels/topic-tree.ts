/** The topic browser's list of topics as a tree by `/` levels, for display. Pure. */
import type { TopicView } from '../api/mqtt-browse.js';

export interface TreeRow {
  /** The path of this level: a topic, or a branch's prefix. */
  path: string;
  /** The last level's name. */
  name: string;
  depth: number;
  /** Set when messages were published to exactly this path. */
  topic?: TopicView;
  /** Topics under this branch (itself included). */
  topics: number;
  /** Messages per second under this branch (itself included). */
  rate: number;
  hasChildren: boolean;
}

interface Node {
  name: string;
  path: string;
  topic?: TopicView;
  children: Map<string, Node>;
}

/** The rows to show, depth first, skipping the children of collapsed paths. */
export function treeRows(topics: readonly TopicView[], collapsed: ReadonlySet<string>): TreeRow[] {
  const root: Node = { name: '', path: '', children: new Map() };
  for (const t of topics) {
    let node = root;
    const levels = t.topic.split('/');
    levels.forEach((level, i) => {
      let child = node.children.get(level);
      if (!child) {
        child = { name: level, path: levels.slice(0, i + 1).join('/'), children: new Map() };
        node.children.set(level, child);
      }
      node = child;
    });
    node.topic = t;
  }
  const rows: TreeRow[] = [];
  const walk = (node: Node, depth: number): { topics: number; rate: number } => {
    let topics = node.topic ? 1 : 0;
    let rate = node.topic?.ratePerSecond ?? 0;
    const row: TreeRow | undefined =
      depth >= 0
        ? {
            path: node.path,
            name: node.name,
            depth,
            topic: node.topic,
            topics: 0,
            rate: 0,
            hasChildren: node.children.size > 0,
          }
        : undefined;
    if (row) rows.push(row);
    const open = !row || !collapsed.has(node.path);
    const at = rows.length;
    for (const child of [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const sub = walk(child, depth + 1);
      topics += sub.topics;
      rate += sub.rate;
    }
    // Collapsed: the children were counted but are not shown.
    if (!open) rows.length = at;
    if (row) {
      row.topics = topics;
      row.rate = Math.round(rate * 100) / 100;
    }
    return { topics, rate };
  };
  walk(root, -1);
  return rows;
}

/** One line of a last value: Sparkplug metrics as `name=value`, JSON compact, text as is; cut at `max` characters. */
export function preview(t: TopicView, max = 120): string {
  let text: string;
  if (t.format === 'sparkplug') {
    const metrics = (
      (t.value as { metrics?: Array<{ name?: string; alias?: unknown; value: unknown }> }).metrics ?? []
    ).map((m) => `${m.name ?? `alias ${String(m.alias)}`}=${JSON.stringify(m.value)}`);
    text = `${metrics.length} metric${metrics.length === 1 ? '' : 's'}: ${metrics.join(', ')}`;
  } else if (t.format === 'text') text = String(t.value);
  else if (t.format === 'bytes') text = t.value === null ? '(not kept)' : `bytes (base64) ${String(t.value)}`;
  else text = JSON.stringify(t.value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
