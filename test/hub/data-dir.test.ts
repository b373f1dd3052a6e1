/** The data directory and every file in it are the hub user's only (0700 / 0600), and a too-open one is reported at start. */
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { logLines } from '../helpers/log-lines.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(process.platform === 'win32')('data directory permissions', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // No configured session secret: the hub generates one into the data directory.
    hub = await startTestHub('sqlite', { sessionSecret: null });
  });
  afterAll(() => hub.close());

  it('creates the directory 0700 and the database, its -wal and -shm and the session secret 0600', async () => {
    // A write over HTTP, so that SQLite has its write-ahead log and shared-memory files.
    expect((await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Perms' } })).status).toBe(201);
    const dir = hub.ctx.config.dataDir;
    expect(mode(dir)).toBe(0o700);
    for (const name of ['kataven.sqlite', 'kataven.sqlite-wal', 'kataven.sqlite-shm', 'session-secret']) expect(mode(join(dir, name)), name).toBe(0o600);
  });
});

describe.skipIf(process.platform === 'win32')('a data directory others can read', () => {
  it('is reported at start, naming each entry and the chmod that fixes it', async () => {
    const first = await startTestHub('sqlite');
    const dir = first.ctx.config.dataDir;
    await first.app.close(); // keep the directory: the next hub starts on it
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'kataven.sqlite'), 0o644);
    const log = logLines();
    const again = await startTestHub('sqlite', { dataDir: dir, logLevel: 'warn' }, { logStream: log.stream });
    try {
      const warnings = log.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40).map((l) => l.msg);
      expect(warnings).toContain(`${dir} is readable by other users (mode 755): run chmod 700 ${dir}`);
      expect(warnings).toContain(`${join(dir, 'kataven.sqlite')} is readable by other users (mode 644): run chmod 600 ${join(dir, 'kataven.sqlite')}`);
    } finally {
      await again.close();
      await first.close().catch(() => {});
    }
  });
});
