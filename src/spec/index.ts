export * from './failure.js';
export * from './fields.js';
export * from './message.js';
export * from './node-definition.js';
export * from './retry-schema.js';
export type * from './runtime-contract.js';
export * from './schema.js';
export * from './tls-schema.js';
export * from './url-issues.js';
