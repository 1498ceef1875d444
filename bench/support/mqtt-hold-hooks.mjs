// Module resolution hook (node:module register) for the MQTT bench: the connector's modules get
// mqtt-internals-hold.ts in place of their ./internals.js, so the bench can measure the fallback (hold) mode
// without a switch in production code.
export async function resolve(specifier, context, next) {
  if (specifier === './internals.js' && context.parentURL?.includes('/src/connectors/mqtt/')) {
    // Resolved by the next hook (tsx), so that it also loads the TypeScript.
    return next(new URL('./mqtt-internals-hold.ts', import.meta.url).href, context);
  }
  return next(specifier, context);
}
