import { describe, expect, it } from 'vitest';
import { HUB_SETTINGS } from '../../src/hub/config.js';
import { kataven } from './run.js';

describe('kataven serve --help', () => {
  it('lists every setting that has a flag, with its variable', async () => {
    const run = await kataven(['serve', '--help']);
    expect(run.code).toBe(0);
    const flagged = HUB_SETTINGS.filter((s) => s.flag);
    expect(flagged.map((s) => s.flag)).toContain('handshake-rate-limit');
    for (const s of flagged) expect(run.stdout).toMatch(new RegExp(`--${s.flag} \\S+ +${s.env}\\b`));
  });

  it('takes every flag it lists', async () => {
    const run = await kataven(['serve', '--handshake-rate-limit', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--handshake-rate-limit="many": must be a whole number');
  });
});
