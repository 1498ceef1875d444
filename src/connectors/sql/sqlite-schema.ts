/** SQLite database settings, used by the `sqlite` connection kind and by `sqlite-out` without one. Isomorphic. */
import { Type } from '../../spec/index.js';

export const DEFAULT_SQLITE_FILE = './sluice-data.db';

export const sqliteProperties = {
  file: Type.String({
    title: 'Database file',
    'x-reference': true,
    description: 'Path of the SQLite file, relative to the working directory; created if missing.',
    default: DEFAULT_SQLITE_FILE,
    minLength: 1,
  }),
  synchronous: Type.Enum(['full', 'normal'], {
    title: 'Durability',
    description:
      '`full` syncs every committed batch to disk: nothing acknowledged is lost even on power loss. `normal` is faster and still loses nothing when the process crashes, but a power cut can drop the last batches.',
    default: 'full',
    'x-advanced': true,
  }),
  busyTimeoutMs: Type.Integer({
    title: 'Busy timeout (ms)',
    description:
      'How long a write waits for another writer of the same file (e.g. a `sqlite3` session) before it backs off and retries. SQLite waits synchronously, stalling the whole process meanwhile: keep it short.',
    minimum: 0,
    maximum: 60_000,
    default: 100,
    'x-advanced': true,
  }),
};
