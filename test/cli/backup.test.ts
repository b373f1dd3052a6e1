/**
 * `kataven backup` and `kataven restore` as users run them (child processes) against a real hub on its
 * SQLite file: a backup taken under write load restores into a fresh data directory with every write
 * acknowledged before it started, and as one consistent moment; restore checks the file first, refuses
 * a running hub, and never leaves a half-restored directory.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { visitorConversation } from '../hub/visitor-conversation.js';
import { kataven } from './run.js';

const ROOMY = { adminRateLimit: 0, conversationRateLimitIp: 0 };
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('kataven backup and restore', () => {
  let hub: TestHub;
  let work: string;
  let backup: string;
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kataven-restore-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    hub = await startTestHub('sqlite', ROOMY);
    work = freshDir();
    backup = join(work, 'hub.backup.sqlite');
  });
  afterAll(async () => {
    await hub?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('backs up under write load; the restore holds every write acknowledged before, as one moment', async () => {
    const conv = await visitorConversation(hub.url, hub.account.secret_key);
    // One writer, one write at a time, alternating keys and messages: the writes have one order, so
    // a consistent copy holds exactly a prefix of them.
    const acked: Array<{ kind: 'key' | 'message'; id: string }> = [];
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        if (i % 2 === 0) {
          const res = await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: `load ${i}`, domain_allowlist: ['load.example'] } });
          expect(res.status).toBe(201);
          acked.push({ kind: 'key', id: res.body.id });
        } else {
          const res = await hub.api(`/api/v1/conversations/${conv.id}/messages`, { method: 'POST', body: { text: `load ${i}` } });
          expect(res.status).toBe(201);
          acked.push({ kind: 'message', id: res.body.id });
        }
      }
    })();
    while (acked.length < 40) await new Promise((r) => setImmediate(r));
    const ackedBefore = acked.length;
    const run = await kataven(['backup', '--to', backup, '--data-dir', hub.ctx.config.dataDir]);
    const ackedAfter = acked.length;
    stop = true;
    await writer;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`to ${backup}`);
    // The hub kept writing while the backup ran.
    expect(ackedAfter).toBeGreaterThan(ackedBefore);

    const target = freshDir();
    const restored = await kataven(['restore', backup, '--data-dir', target]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const second = await startTestHub('sqlite', { ...ROOMY, dataDir: target });
    try {
      // The original account's secret key works on the restored hub.
      const ask = (path: string) => second.api(path, { key: hub.account.secret_key });
      const keys = new Set<string>();
      for (let after: string | undefined; ; ) {
        const page = await ask(`/api/v1/widget-keys?limit=100${after ? `&starting_after=${after}` : ''}`);
        expect(page.status).toBe(200);
        for (const k of page.body.data) keys.add(k.id);
        if (!page.body.has_more) break;
        after = page.body.data.at(-1).id;
      }
      const conversation = await ask(`/api/v1/conversations/${conv.id}`);
      expect(conversation.status).toBe(200);
      const messages = new Set<string>(conversation.body.messages.map((m: { id: string }) => m.id));
      const present = acked.map((w) => (w.kind === 'key' ? keys : messages).has(w.id));
      const prefix = present.indexOf(false) === -1 ? present.length : present.indexOf(false);
      expect(prefix).toBeGreaterThanOrEqual(ackedBefore);
      // Nothing after the first missing write: the copy is one moment of the database.
      expect(present.slice(prefix).every((p) => !p)).toBe(true);
      expect(prefix).toBeLessThanOrEqual(ackedAfter + 1);
    } finally {
      await second.close();
    }
  });

  it('never overwrites a file with a backup', async () => {
    const run = await kataven(['backup', '--to', backup, '--data-dir', hub.ctx.config.dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already exists');
  });

  it('refuses to restore onto a running hub, and changes nothing', async () => {
    const dataDir = hub.ctx.config.dataDir;
    const before = sha(join(dataDir, 'kataven.sqlite'));
    const run = await kataven(['restore', backup, '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('stop it first');
    expect(sha(join(dataDir, 'kataven.sqlite'))).toBe(before);
    expect(readdirSync(dataDir).filter((f) => f.includes('restor'))).toEqual([]);
    expect((await hub.api('/api/v1/widget-keys')).status).toBe(200);
  });

  describe('checks the file before it touches the data directory', () => {
    /** A data directory holding a restored database, and its bytes. */
    let target: string;
    let original: string;
    beforeAll(async () => {
      target = freshDir();
      expect((await kataven(['restore', backup, '--data-dir', target])).code).toBe(0);
      original = sha(join(target, 'kataven.sqlite'));
    });

    async function refused(file: string, words: string) {
      const run = await kataven(['restore', file, '--data-dir', target]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(words);
      expect(sha(join(target, 'kataven.sqlite'))).toBe(original);
      expect(readdirSync(target).filter((f) => f.includes('.restoring') || f === 'restore.lock')).toEqual([]);
    }

    it('refuses a file that is not a database', async () => {
      const file = join(work, 'garbage.sqlite');
      writeFileSync(file, 'not a database at all, just words '.repeat(200));
      await refused(file, 'is not a SQLite database');
    });

    it('refuses a damaged database', async () => {
      const file = join(work, 'damaged.sqlite');
      const bytes = readFileSync(backup);
      // Past the header and the schema page: the pages of the tables themselves.
      for (let i = 8192; i < bytes.length; i += 97) bytes[i] = 0xff;
      writeFileSync(file, bytes);
      await refused(file, 'damaged');
    });

    it('refuses a SQLite database that is not a Kataven one', async () => {
      const file = join(work, 'other.sqlite');
      const db = new SQLite(file);
      db.exec('create table notes (id integer primary key, text text)');
      db.close();
      await refused(file, 'not a Kataven one');
    });

    it("refuses a newer version's database", async () => {
      const file = join(work, 'newer.sqlite');
      copyFileSync(backup, file);
      const db = new SQLite(file);
      db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999_future', new Date().toISOString());
      db.close();
      await refused(file, 'newer Kataven (migrations 9999_future)');
    });

    it('keeps the database it replaces', async () => {
      const run = await kataven(['restore', backup, '--data-dir', target]);
      expect(run.code).toBe(0);
      const kept = readdirSync(target).filter((f) => f.startsWith('kataven.sqlite.before-restore-'));
      expect(kept).toHaveLength(1);
      expect(sha(join(target, kept[0]!))).toBe(original);
      expect(run.stdout).toContain(kept[0]);
    });
  });

  it('points to pg_dump for PostgreSQL', async () => {
    const run = await kataven(['backup', '--to', join(work, 'pg.sqlite')], { KATAVEN_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('use pg_dump');
    expect(existsSync(join(work, 'pg.sqlite'))).toBe(false);
  });
});

describe('the data directory while a hub or a restore has it', () => {
  it('holds hub.pid while the hub runs and not after', async () => {
    const hub = await startTestHub('sqlite');
    const dataDir = hub.ctx.config.dataDir;
    try {
      expect(readFileSync(join(dataDir, 'hub.pid'), 'utf8').split('\n')[0]).toBe(String(process.pid));
      // Closed by hand, not with hub.close(), which would remove the directory with it.
      hub.app.server.closeAllConnections();
      await hub.app.close();
      expect(existsSync(join(dataDir, 'hub.pid'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses to start a hub while a restore holds the directory, and ignores a dead restore's lock", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kataven-locked-'));
    try {
      writeFileSync(join(dataDir, 'restore.lock'), `${process.pid}\n`);
      await expect(startTestHub('sqlite', { dataDir })).rejects.toThrow(/kataven restore .* is replacing the database/);
      expect(existsSync(join(dataDir, 'hub.pid'))).toBe(false);
      // No process has pid 2^22 + 1 on Linux (pid_max is at most 2^22).
      writeFileSync(join(dataDir, 'restore.lock'), '4194305\n');
      const hub = await startTestHub('sqlite', { dataDir });
      await hub.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
