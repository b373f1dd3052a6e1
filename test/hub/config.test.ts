import { describe, expect, it } from 'vitest';
import { HUB_SETTINGS, loadConfig } from '../../src/hub/config.js';
import { AGENT_TOTAL_TIMEOUT_MS } from '../../src/protocol/agent-webhook.js';
import { readFileSync } from 'node:fs';

const errorsOf = (env: Record<string, string>, flags: Record<string, string> = {}, options?: { serving?: boolean }) => {
  const result = loadConfig(env, flags, options);
  return result.ok ? [] : result.errors;
};

describe('hub configuration', () => {
  it('refuses PostgreSQL without a session secret, reported with the other bad values', () => {
    const errors = errorsOf({ KATAVEN_DATABASE_URL: 'postgres://u@127.0.0.1/db', KATAVEN_PORT: 'x' });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('KATAVEN_PORT="x"');
    expect(errors[1]).toMatch(/^KATAVEN_SESSION_SECRET is required when KATAVEN_DATABASE_URL is set/);
  });

  it('names the flag when the database URL came from one', () => {
    expect(errorsOf({}, { 'database-url': 'postgres://u@127.0.0.1/db' })).toEqual([expect.stringContaining('when --database-url is set')]);
  });

  it('accepts PostgreSQL with a session secret, and without one for a command that serves nothing', () => {
    expect(errorsOf({ KATAVEN_DATABASE_URL: 'postgres://u@127.0.0.1/db', KATAVEN_SESSION_SECRET: 'x'.repeat(32) })).toEqual([]);
    expect(errorsOf({ KATAVEN_DATABASE_URL: 'postgres://u@127.0.0.1/db' }, {}, { serving: false })).toEqual([]);
  });

  it('reports a short session secret once, not also as a missing one', () => {
    const errors = errorsOf({ KATAVEN_DATABASE_URL: 'postgres://u@127.0.0.1/db', KATAVEN_SESSION_SECRET: 'short' });
    expect(errors).toEqual([expect.stringContaining('KATAVEN_SESSION_SECRET="short": must be at least 32 characters')]);
  });

  it('caps the webhook timeout at the limit of a whole answer, saying why', () => {
    const [error] = errorsOf({ KATAVEN_WEBHOOK_TIMEOUT_MS: String(AGENT_TOTAL_TIMEOUT_MS + 1) });
    expect(error).toMatch(/^KATAVEN_WEBHOOK_TIMEOUT_MS="120001": must be at most \d+ ms: that is the longest a whole answer of an agent may take/);
    const cap = Number(/at most (\d+) ms/.exec(error!)![1]);
    expect(cap).toBe(AGENT_TOTAL_TIMEOUT_MS);
    expect(errorsOf({ KATAVEN_WEBHOOK_TIMEOUT_MS: String(cap) })).toEqual([]);
    expect(errorsOf({ KATAVEN_WEBHOOK_TIMEOUT_MS: String(cap + 1) })).toHaveLength(1);
  });

  it('refuses metrics on the public port without a token, a short token and retention of 0 days, one line each', () => {
    const errors = errorsOf({ KATAVEN_PORT: '8787', KATAVEN_METRICS_PORT: '8787', KATAVEN_METRICS_TOKEN: 'short', KATAVEN_RETENTION_DAYS: '0' });
    expect(errors).toEqual([
      'KATAVEN_METRICS_TOKEN="short": must be at least 32 characters (e.g. `openssl rand -hex 32`)',
      'KATAVEN_RETENTION_DAYS="0": must be a whole number from 1 to 36500',
      expect.stringMatching(/^KATAVEN_METRICS_PORT=8787 is the hub's own port \(KATAVEN_PORT\): give metrics a port of their own, or set KATAVEN_METRICS_TOKEN/),
    ]);
    expect(errors.every((e) => !e.includes('\n'))).toBe(true);
  });

  it('keeps metrics off and conversations forever unless configured', () => {
    const result = loadConfig({});
    expect(result.ok && [result.config.metricsPort, result.config.metricsToken, result.config.metricsHost, result.config.retentionDays]).toEqual([null, null, '127.0.0.1', null]);
    const on = loadConfig({ KATAVEN_METRICS_PORT: '9464', KATAVEN_RETENTION_DAYS: '30' });
    expect(on.ok && [on.config.metricsPort, on.config.retentionDays]).toEqual([9464, 30]);
  });

  it('is documented in the README: one row per setting, with its flag', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = new Map([...readme.matchAll(/^\| `(KATAVEN_[A-Z_]+)` \| ?(`--[a-z-]+`)? ?\|/gm)].map((m) => [m[1], m[2] ?? '']));
    for (const s of HUB_SETTINGS) expect(rows.get(s.env), s.env).toBe(s.flag ? `\`--${s.flag}\`` : '');
  });
});
