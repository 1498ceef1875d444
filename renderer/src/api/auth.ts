/**
 * The admin API token. On loopback the server needs none; otherwise the page is opened as `...#token=...`.
 * The token is taken out of the address bar at once and kept only in memory.
 */
let token: string | undefined;

export function captureToken(loc: Location = window.location, hist: History = window.history): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(loc.hash);
  if (!m) return;
  token = decodeURIComponent(m[1]);
  const rest = loc.hash
    .replace(/^#/, '')
    .split('&')
    .filter((p) => !p.startsWith('token='))
    .join('&');
  hist.replaceState(hist.state, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`);
}

export function authToken(): string | undefined {
  return token;
}
