/** The state of a connection or a channel, as the nodes report it. */
export interface LinkStatus {
  state: 'connecting' | 'connected' | 'error';
  reason?: string;
}

export function sameStatus(a: LinkStatus, b: LinkStatus): boolean {
  return a.state === b.state && a.reason === b.reason;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
