/** The `kataven` command: dispatches to one module per command group; usage errors exit 2, others 1. */
import { UsageError } from './args.js';

const HELP = `kataven: the Kataven widget hub and its admin tools

Usage:
  kataven serve [flags]                 run the hub (see kataven serve --help)
  kataven demo [flags]                  run the hub with a demo account, key and demo sites (npm start)
  kataven accounts create --name NAME   create an account; prints its secret key once
  kataven accounts rotate-key --account ID [--grace-period S]
                                        a new secret key; the old ones end after the grace period
  kataven backup --to FILE              copy the SQLite database while the hub runs
  kataven restore FILE                  put a backup back, on a stopped hub
  kataven widget-keys list|create|update|delete|blocked|check|rotate-identity-secret [flags]
                                        manage widget keys, see refused origins, test an origin
  kataven doctor URL [--api-key KEY]    why is the widget blank on this page? a checklist with fixes
  kataven agents list|create|update|rotate-secret [flags]
                                        manage agents (see kataven agents --help)
  kataven conversations list|show|reply|take-over|hand-back|delete [flags]
                                        read, answer, take over and erase conversations (see kataven conversations --help)

widget-keys, agents and conversations talk to a running hub: --api-key / KATAVEN_API_KEY (sk_live_…) and
--base-url / KATAVEN_BASE_URL (default http://127.0.0.1:8787); --json prints JSON for scripts.

Configuration: KATAVEN_* environment variables, flags over them. See README.md.`;

// Loaded on demand (build.mjs splits them into chunks): the API commands only speak HTTP and should
// not pay for loading the hub (Fastify, pg, Kysely, ioredis) on every run.
const commands: Record<string, (argv: string[]) => Promise<void>> = {
  serve: async (argv) => (await import('./serve.js')).serveCommand(argv, false),
  demo: async (argv) => (await import('./serve.js')).serveCommand(argv, true),
  accounts: async (argv) => (await import('./accounts.js')).accountsCommand(argv),
  backup: async (argv) => (await import('./backup.js')).backupCommand(argv),
  restore: async (argv) => (await import('./backup.js')).restoreCommand(argv),
  'widget-keys': async (argv) => (await import('./widget-keys.js')).widgetKeysCommand(argv),
  agents: async (argv) => (await import('./agents.js')).agentsCommand(argv),
  conversations: async (argv) => (await import('./conversations.js')).conversationsCommand(argv),
  doctor: async (argv) => (await import('./doctor.js')).doctorCommand(argv),
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return void console.log(HELP);
  const run = commands[command];
  if (!run) throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  await run(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`kataven: ${err.message}`);
    process.exit(2);
  }
  console.error(`kataven: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
