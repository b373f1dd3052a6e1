/** The session signing secret: configured, or generated once and kept in the data directory. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSessionSecret } from '../../../src/hub/session/secret.js';

let dir: string;
const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'kataven-secret-')));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('session secret', () => {
  it('takes the configured secret and writes nothing', () => {
    fresh();
    expect(resolveSessionSecret('configured-secret', join(dir, 'data'))).toBe('configured-secret');
    expect(() => statSync(join(dir, 'data'))).toThrow();
  });

  it('generates 32 random bytes once, in a file only the owner reads, and keeps them across restarts', () => {
    const data = join(fresh(), 'nested', 'data');
    const first = resolveSessionSecret(null, data);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(data, 'session-secret'), 'utf8')).toBe(first + '\n');
    expect(statSync(join(data, 'session-secret')).mode & 0o777).toBe(0o600);
    expect(resolveSessionSecret(null, data)).toBe(first);
    expect(resolveSessionSecret(null, fresh())).not.toBe(first);
  });

  it('keeps a stored secret of 32 characters, trimmed', () => {
    fresh();
    writeFileSync(join(dir, 'session-secret'), ' ' + 'k'.repeat(32) + '\n');
    expect(resolveSessionSecret(null, dir)).toBe('k'.repeat(32));
  });

  it('replaces a stored secret shorter than 32 characters', () => {
    fresh();
    writeFileSync(join(dir, 'session-secret'), 'k'.repeat(31));
    const secret = resolveSessionSecret(null, dir);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(dir, 'session-secret'), 'utf8')).toBe(secret + '\n');
  });
});
