/**
 * The preload (sandboxed, context-isolated): exposes `window.sluiceDesktop` and nothing else. Built as CommonJS
 * (sandboxed preloads cannot be ES modules) by scripts/build-desktop.mjs.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createDesktopApi } from './preload-api.js';

contextBridge.exposeInMainWorld(
  'sluiceDesktop',
  createDesktopApi(ipcRenderer, (file) => webUtils.getPathForFile(file), process.platform),
);
