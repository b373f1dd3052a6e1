/** Loads the hub config from the environment and flags, or stops with one line per bad value. */
import { loadConfig, type Flags, type HubConfig } from '../hub/config.js';
import { UsageError } from './args.js';

export function hubConfigOrExit(flags: Flags): HubConfig {
  const result = loadConfig(process.env, flags);
  if (!result.ok) throw new UsageError(`invalid configuration:\n${result.errors.map((e) => `  - ${e}`).join('\n')}`);
  return result.config;
}
