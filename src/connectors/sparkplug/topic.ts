/** Sparkplug B topic namespace (spec 3.0, 4.1): `spBv1.0/<group>/<message type>/<edge node>[/<device>]`. */

export const NAMESPACE = 'spBv1.0';

export type MessageType = 'NBIRTH' | 'NDEATH' | 'DBIRTH' | 'DDEATH' | 'NDATA' | 'DDATA' | 'NCMD' | 'DCMD';

const TYPES = new Set<string>(['NBIRTH', 'NDEATH', 'DBIRTH', 'DDEATH', 'NDATA', 'DDATA', 'NCMD', 'DCMD']);

export interface SparkplugTopic {
  group: string;
  type: MessageType;
  edgeNode: string;
  /** Device messages (D*) only. */
  device?: string;
}

/** The parts of a Sparkplug topic, or undefined for anything else (STATE, other namespaces, malformed). */
export function parseTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE || parts.length < 4 || parts.length > 5) return undefined;
  const [, group, type, edgeNode, device] = parts;
  if (!TYPES.has(type) || !group || !edgeNode) return undefined;
  const isDevice = type[0] === 'D';
  if (isDevice !== (device !== undefined) || device === '') return undefined;
  return { group, type: type as MessageType, edgeNode, ...(isDevice ? { device } : {}) };
}

export function topicOf(t: SparkplugTopic): string {
  return [NAMESPACE, t.group, t.type, t.edgeNode, ...(t.device !== undefined ? [t.device] : [])].join('/');
}

/** A Sparkplug id (group, edge node, device) is one MQTT level: no `/`, `+`, `#` (spec 4.1.1). */
export function idProblem(id: string, what: string): string | undefined {
  if (id === '') return `${what} cannot be empty`;
  if (/[/+#]/.test(id) || id.includes('\u0000')) return `${what} "${id}" cannot contain /, +, # or NUL`;
  return undefined;
}
