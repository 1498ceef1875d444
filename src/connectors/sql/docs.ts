/** The reference text the three SQL sinks share; each adds what is particular to its database. Isomorphic. */
export function sqlSinkDocs(o: { database: string; upsert: string; types: string; extra: string }): string {
  return `Writes each message as a row of a ${o.database} table, in batches, and acknowledges a message only after the
transaction holding its row has committed.

**Columns** map column names to JSONata expressions over the message (\`payload\`, \`topic\`, \`key\`, \`id\`,
\`headers\`, \`timestamp\`), compiled once:

\`\`\`json
{ "device": "payload.device", "temp": "payload.temp", "msg_id": "id" }
\`\`\`

A missing value writes NULL; objects and arrays are written as JSON text. Values reach the database only as bound
parameters, never as SQL text. Table and column names must be plain names (letters, digits and \`_\`, at most 63
characters); they are quoted as well, so reserved words such as \`order\` are fine.

**Batching**: rows are written **batchSize** at a time, or after **lingerMs** when fewer arrive.

**Upsert**: with an **upsert key** (the default is \`["id"]\`, the message id), a redelivered message updates its
row instead of adding a second one, which is what makes at-least-once delivery land once in the table. ${o.upsert}
**onConflict** \`nothing\` keeps the first version of a row instead. With an empty key, rows are plain inserts.

**Create the table**: creates it if missing, with the upsert key as primary key and these types:
${o.types}

**Failures**: a row the database refuses (a constraint, a value of the wrong type) fails only its own message, which
goes to the error port or the flow's error route with the database's reason; the rest of its batch is written (the
batch is split until the bad rows stand alone). When the database is unreachable or reports a transient error
(connection lost, deadlock) the batch is retried with backoff (**attempts**, **retryDelayMs**, **retryMaxDelayMs**),
then its messages fail, so a database outage holds back at most the flow's in-flight limit and the sources pause.
After a connection is lost during a commit the batch may be written twice: with an upsert key that changes nothing.

**Status**: connecting, connected, or error with the reason; while the database is down the node keeps
reconnecting with backoff.
${o.extra}`;
}
