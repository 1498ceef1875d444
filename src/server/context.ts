/** What the route modules share. */
import type { FlowValidator } from '../flow/validate.js';
import type { SluiceLogger } from '../runtime/log.js';
import type { Catalog } from '../spec/node-definition.js';
import type { Hub } from './hub.js';
import type { RuntimeControl } from './runtime-control.js';
import type { FlowStore } from './store.js';

export interface ServerContext {
  catalog: Catalog;
  validator: FlowValidator;
  store: FlowStore;
  runtime: RuntimeControl;
  hub: Hub;
  log: SluiceLogger;
  version: string;
  /** `editor` for `sluice serve` (and the desktop app), `runner` for `sluice run --api`. */
  role: 'editor' | 'runner';
}
