/** The Electron main process entry (built to dist/desktop/main.mjs by scripts/build-desktop.mjs). */
import { app, dialog } from 'electron';
import { startDesktop } from './app.js';

startDesktop().catch((err: unknown) => {
  dialog.showErrorBox('Sluice could not start', err instanceof Error ? (err.stack ?? err.message) : String(err));
  app.exit(1);
});
