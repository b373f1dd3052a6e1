/**
 * isUnavailable() decides between a 503 (retry later) and a 500: check it against the errors pg really
 * throws when the database is away, produced here for real (refused, unresolvable host, terminated,
 * reset, stalled), and against errors that are not an outage.
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnavailable } from '../../src/hub/errors.js';
import { PG_URL, skipReason, sleep, tcpProxy, type TcpProxy } from './support.js';

async function errorOf(work: () => Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await work();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error');
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('isUnavailable on errors pg throws without a server', () => {
  it('connection refused', async () => {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/x` });
    const err = await errorOf(() => client.connect());
    expect(err.code).toBe('ECONNREFUSED');
    expect(isUnavailable(err)).toBe(true);
  });

  it('database host that does not resolve (e.g. its container is down)', async () => {
    const client = new pg.Client({ connectionString: 'postgres://postgres@kataven-db.invalid:5432/x', connectionTimeoutMillis: 5_000 });
    const err = await errorOf(() => client.connect());
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(err.code);
    expect(isUnavailable(err)).toBe(true);
  }, 10_000);
});

const skip = skipReason('isUnavailable with a real PostgreSQL', 'postgres');

describe.skipIf(skip)('isUnavailable on errors pg throws when the server goes away', () => {
  let proxy: TcpProxy;
  const clients: pg.Client[] = [];
  const client = async (options: pg.ClientConfig = {}) => {
    const c = new pg.Client({ connectionString: proxy.via(PG_URL!), ...options });
    c.on('error', () => {});
    clients.push(c);
    await c.connect();
    return c;
  };

  beforeAll(async () => {
    proxy = await tcpProxy(PG_URL!);
  });
  afterAll(async () => {
    proxy.setMode('up');
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await proxy.close();
  });

  it('terminated by the server (pg_terminate_backend) mid-query: 57P01', async () => {
    const victim = await client();
    const pid = (await victim.query('select pg_backend_pid() as pid')).rows[0].pid;
    const running = errorOf(() => victim.query('select pg_sleep(5)'));
    await sleep(100);
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.end();
    const err = await running;
    expect(err.code).toBe('57P01');
    expect(isUnavailable(err)).toBe(true);
    // And the next query on that client:
    const next = await errorOf(() => victim.query('select 1'));
    expect(isUnavailable(next), next.message).toBe(true);
  });

  it('connection reset mid-query, and the next query on that client', async () => {
    const victim = await client();
    const running = errorOf(() => victim.query('select pg_sleep(5)'));
    await sleep(100);
    proxy.setMode('reset');
    const err = await running;
    expect(isUnavailable(err), `${err.code} ${err.message}`).toBe(true);
    const next = await errorOf(() => victim.query('select 1'));
    expect(isUnavailable(next), next.message).toBe(true);
    proxy.setMode('up');
  });

  it('stalled network: query read timeout and connect timeout', async () => {
    const victim = await client({ query_timeout: 300 });
    proxy.setMode('stall');
    const err = await errorOf(() => victim.query('select 1'));
    expect(err.message).toBe('Query read timeout');
    expect(isUnavailable(err)).toBe(true);
    const pool = new pg.Pool({ connectionString: proxy.via(PG_URL!), connectionTimeoutMillis: 300 });
    const connectErr = await errorOf(() => pool.query('select 1'));
    expect(isUnavailable(connectErr), connectErr.message).toBe(true);
    proxy.setMode('up');
    await pool.end();
  });

  it('is false for errors that are not an outage', async () => {
    const c = await client();
    for (const sql of ['select * from no_such_table', 'select 1/0', 'selec 1']) {
      const err = await errorOf(() => c.query(sql));
      expect(isUnavailable(err), `${sql}: ${err.code} ${err.message}`).toBe(false);
    }
  });
});
