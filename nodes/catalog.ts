/**
 * The one list of node types and connection kinds. Isomorphic: definitions only; each type's runtime is
 * `nodes/<type>/runtime.ts`, found by the engine through its folder name.
 */
import type { Catalog } from '../src/spec/node-definition.js';
import { amqpIn } from './amqp-in/definition.js';
import { amqpOut } from './amqp-out/definition.js';
import { change } from './change/definition.js';
import { amqpConnection } from './connections/amqp/definition.js';
import { httpServerConnection } from './connections/http-server/definition.js';
import { kafkaConnection } from './connections/kafka/definition.js';
import { mqttConnection } from './connections/mqtt/definition.js';
import { mysqlConnection } from './connections/mysql/definition.js';
import { natsConnection } from './connections/nats/definition.js';
import { postgresConnection } from './connections/postgres/definition.js';
import { redisConnection } from './connections/redis/definition.js';
import { sqliteConnection } from './connections/sqlite/definition.js';
import { csv } from './csv/definition.js';
import { deadband } from './deadband/definition.js';
import { debug } from './debug/definition.js';
import { dedup } from './dedup/definition.js';
import { delay } from './delay/definition.js';
import { filter } from './filter/definition.js';
import { functionNode } from './function/definition.js';
import { generate } from './generate/definition.js';
import { httpIn } from './http-in/definition.js';
import { httpOut } from './http-out/definition.js';
import { inject } from './inject/definition.js';
import { join } from './join/definition.js';
import { json } from './json/definition.js';
import { kafkaIn } from './kafka-in/definition.js';
import { kafkaOut } from './kafka-out/definition.js';
import { mqttIn } from './mqtt-in/definition.js';
import { mqttOut } from './mqtt-out/definition.js';
import { mysqlOut } from './mysql-out/definition.js';
import { natsIn } from './nats-in/definition.js';
import { natsOut } from './nats-out/definition.js';
import { postgresOut } from './postgres-out/definition.js';
import { rateLimit } from './rate-limit/definition.js';
import { redisIn } from './redis-in/definition.js';
import { redisOut } from './redis-out/definition.js';
import { sparkplugIn } from './sparkplug-in/definition.js';
import { sparkplugOut } from './sparkplug-out/definition.js';
import { split } from './split/definition.js';
import { sqliteOut } from './sqlite-out/definition.js';
import { switchNode } from './switch/definition.js';
import { transform } from './transform/definition.js';
import { validate } from './validate/definition.js';
import { windowNode } from './window/definition.js';

export const catalog: Catalog = {
  nodes: [
    generate,
    inject,
    transform,
    change,
    filter,
    switchNode,
    validate,
    dedup,
    deadband,
    rateLimit,
    delay,
    functionNode,
    json,
    windowNode,
    split,
    join,
    csv,
    debug,
    amqpIn,
    amqpOut,
    postgresOut,
    mysqlOut,
    sqliteOut,
    mqttIn,
    mqttOut,
    sparkplugIn,
    sparkplugOut,
    kafkaIn,
    kafkaOut,
    httpIn,
    httpOut,
    redisIn,
    redisOut,
    natsIn,
    natsOut,
  ],
  connections: [
    amqpConnection,
    postgresConnection,
    mysqlConnection,
    sqliteConnection,
    mqttConnection,
    kafkaConnection,
    httpServerConnection,
    redisConnection,
    natsConnection,
  ],
};
