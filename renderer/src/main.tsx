/** Entry: token from the address, live channel, the first flow, and a guard against losing unsaved changes. */
import '@xyflow/react/dist/style.css';
import './styles/global.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { captureToken } from './api/auth.js';
import { api } from './api/client.js';
import { connectLive } from './api/live.js';
import { App } from './app/App.js';
import { connectDesktop } from './desktop/desktop-bridge.js';
import { openFromServer } from './state/flow-actions.js';
import { useWorkspace } from './state/workspace.js';

async function openFirstFlow(): Promise<void> {
  // `?flow=<id>` (or `#flow=<id>`) opens that flow; otherwise every running one (the first shown); otherwise a new flow.
  const wanted =
    new URLSearchParams(window.location.search).get('flow') ?? /(?:^#|&)flow=([^&]+)/.exec(window.location.hash)?.[1];
  if (wanted && (await openFromServer(decodeURIComponent(wanted)))) return;
  try {
    const running = (await api.runtime()).flows.filter((f) => f.state === 'running').map((f) => f.flowId);
    const tabs = [];
    for (const id of running) tabs.push(await openFromServer(id));
    const first = tabs.find((t) => t !== undefined);
    if (first) {
      useWorkspace.getState().activate(first.key);
      return;
    }
  } catch {
    // No server answer yet: start with an empty flow; the live channel keeps retrying.
  }
  if (useWorkspace.getState().tabs.length === 0) useWorkspace.getState().newFlow();
}

captureToken();
connectLive();
connectDesktop();
window.addEventListener('beforeunload', (e) => {
  if (Object.values(useWorkspace.getState().dirty).some(Boolean)) {
    e.preventDefault();
    e.returnValue = '';
  }
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void openFirstFlow();
