import { afterEach, describe, expect, it } from 'vitest';
import { mysqlConnection } from '../../../nodes/connections/mysql/definition.js';
import { postgresConnection } from '../../../nodes/connections/postgres/definition.js';
import type { ServerConnectionConfig } from '../../../src/connectors/sql/connection-schema.js';
import { checkMysql } from '../../../src/connectors/sql/drivers/mysql.js';
import { checkPg } from '../../../src/connectors/sql/drivers/pg.js';
import { applyDefaults } from '../../../src/runtime/resolve-config.js';
import { type FakeServer, fakeMysql, fakePostgres, REFUSAL, selfSignedLocalhost } from './tls-servers.js';

const cert = selfSignedLocalhost();
if (!cert) console.warn('[skip] TLS tests need openssl to make a certificate');

const drivers = [
  { name: 'postgres', fake: fakePostgres, check: checkPg, schema: postgresConnection.config },
  {
    name: 'mysql',
    fake: fakeMysql,
    check: (c: ServerConnectionConfig) => checkMysql({ ...c, strict: true }),
    schema: mysqlConnection.config,
  },
];

for (const d of drivers) {
  describe.runIf(cert)(`${d.name} TLS`, () => {
    let server: FakeServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    const attempt = async (config: Record<string, unknown>) => {
      server = await d.fake(cert!);
      const c = applyDefaults(d.schema, {
        port: server.port,
        connectTimeoutMs: 3000,
        ...config,
      }) as ServerConnectionConfig;
      return d.check(c).then(
        () => 'connected',
        (err: Error) => err.message,
      );
    };

    it('verifies the server by default: a self-signed certificate is refused', async () => {
      expect(await attempt({ host: 'localhost', tls: true })).toMatch(/self[- ]signed certificate/);
      expect(server!.handshakes).toBe(0);
    });

    it('trusts the given CA: the login goes through TLS', async () => {
      expect(await attempt({ host: 'localhost', tls: true, ca: cert!.cert })).toContain(REFUSAL);
      expect(server!.handshakes).toBe(1);
    });

    it('checks the host name against the certificate', async () => {
      // The certificate names localhost only. mysql2 would not check an IP address: Sluice refuses to try.
      expect(await attempt({ host: '127.0.0.1', tls: true, ca: cert!.cert })).toMatch(
        d.name === 'postgres' ? /IP: 127\.0\.0\.1 is not in the cert's list/ : /not an IP address/,
      );
      expect(server!.handshakes).toBe(0);
    });

    it('verifyServer off accepts any certificate', async () => {
      expect(await attempt({ host: 'localhost', tls: true, verifyServer: false })).toContain(REFUSAL);
    });

    it('TLS off never asks for it', async () => {
      await attempt({ host: 'localhost', tls: false });
      expect([server!.plain, server!.handshakes]).toEqual([1, 0]);
    });
  });
}
