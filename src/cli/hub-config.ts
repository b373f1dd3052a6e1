/**
 * The hub settings of the server-side commands (serve, demo, accounts): their flags and help come from the
 * hub's config table (src/hub/config.ts); bad values stop the command with one line each (exit 2).
 */
import { HUB_SETTINGS, loadConfig, type Flags, type HubConfig } from '../hub/config.js';
import { UsageError } from './args.js';

const FLAGGED = HUB_SETTINGS.filter((s) => s.flag !== undefined);

/** parseArgs options for every hub setting that has a flag. */
export const HUB_FLAG_OPTIONS: Record<string, { type: 'string' }> = Object.fromEntries(FLAGGED.map((s) => [s.flag, { type: 'string' }]));

/** One help line per flag: `--port PORT   KATAVEN_PORT, default 8787`. */
export function hubFlagsHelp(): string {
  const names = FLAGGED.map((s) => `--${s.flag} ${s.value}`);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return FLAGGED.map((s, i) => `  ${names[i]!.padEnd(width)}${s.env}${s.fallback === null ? '' : `, default ${s.fallback}`}`).join('\n');
}

export function hubConfigOrExit(flags: Flags, options?: { serving?: boolean }): HubConfig {
  const result = loadConfig(process.env, flags, options);
  if (!result.ok) throw new UsageError(`invalid configuration:\n${result.errors.map((e) => `  - ${e}`).join('\n')}`);
  return result.config;
}
