/**
 * Trusted JavaScript evaluated in each new sandbox context before the user's code compiles: the Node-RED-like
 * `node` logger and a per-node `context` store. The store lives in the sandbox, so it is cleared whenever the
 * sandbox is rebuilt (redeploy, time or memory failure).
 */
export const FUNCTION_HELPERS = `(function () {
  'use strict';
  const store = new Map();
  globalThis.node = Object.freeze({
    log: console.log, debug: console.debug, warn: console.warn, error: console.error,
  });
  globalThis.context = Object.freeze({
    get: function (key) { return store.get(String(key)); },
    set: function (key, value) {
      if (value === undefined) store.delete(String(key));
      else store.set(String(key), value);
    },
    keys: function () { return Array.from(store.keys()); },
  });
})();`;
