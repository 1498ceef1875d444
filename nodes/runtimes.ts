/**
 * Node-side companion of the catalogue: where each node type's and connection kind's runtime module is. Each is a
 * dynamic `import()`, so a flow loads only the runtimes (and protocol libraries) it uses, and a bundler can still see
 * every module. The catalogue stays isomorphic data; adding a node type adds one line here too
 * (test/catalog/catalog.test.ts checks both lists agree).
 */
export const nodeRuntimes: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  'amqp-in': () => import('./amqp-in/runtime.js'),
  'amqp-out': () => import('./amqp-out/runtime.js'),
  csv: () => import('./csv/runtime.js'),
  change: () => import('./change/runtime.js'),
  deadband: () => import('./deadband/runtime.js'),
  debug: () => import('./debug/runtime.js'),
  delay: () => import('./delay/runtime.js'),
  dedup: () => import('./dedup/runtime.js'),
  filter: () => import('./filter/runtime.js'),
  function: () => import('./function/runtime.js'),
  generate: () => import('./generate/runtime.js'),
  'http-in': () => import('./http-in/runtime.js'),
  'http-out': () => import('./http-out/runtime.js'),
  inject: () => import('./inject/runtime.js'),
  join: () => import('./join/runtime.js'),
  json: () => import('./json/runtime.js'),
  'kafka-in': () => import('./kafka-in/runtime.js'),
  'kafka-out': () => import('./kafka-out/runtime.js'),
  'mqtt-in': () => import('./mqtt-in/runtime.js'),
  'mqtt-out': () => import('./mqtt-out/runtime.js'),
  'mysql-out': () => import('./mysql-out/runtime.js'),
  'nats-in': () => import('./nats-in/runtime.js'),
  'nats-out': () => import('./nats-out/runtime.js'),
  'postgres-out': () => import('./postgres-out/runtime.js'),
  split: () => import('./split/runtime.js'),
  'redis-in': () => import('./redis-in/runtime.js'),
  'redis-out': () => import('./redis-out/runtime.js'),
  'sparkplug-in': () => import('./sparkplug-in/runtime.js'),
  'sparkplug-out': () => import('./sparkplug-out/runtime.js'),
  'sqlite-out': () => import('./sqlite-out/runtime.js'),
  switch: () => import('./switch/runtime.js'),
  transform: () => import('./transform/runtime.js'),
  window: () => import('./window/runtime.js'),
  'rate-limit': () => import('./rate-limit/runtime.js'),
  validate: () => import('./validate/runtime.js'),
};

export const connectionRuntimes: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  amqp: () => import('./connections/amqp/runtime.js'),
  'http-server': () => import('./connections/http-server/runtime.js'),
  kafka: () => import('./connections/kafka/runtime.js'),
  mqtt: () => import('./connections/mqtt/runtime.js'),
  mysql: () => import('./connections/mysql/runtime.js'),
  nats: () => import('./connections/nats/runtime.js'),
  postgres: () => import('./connections/postgres/runtime.js'),
  redis: () => import('./connections/redis/runtime.js'),
  sqlite: () => import('./connections/sqlite/runtime.js'),
};
