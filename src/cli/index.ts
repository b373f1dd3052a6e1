/** The `kataven` command: dispatches to one module per command group; usage errors exit 2, others 1. */
import { accountsCommand } from './accounts.js';
import { agentsCommand } from './agents.js';
import { UsageError } from './args.js';
import { serveCommand } from './serve.js';
import { widgetKeysCommand } from './widget-keys.js';

const HELP = `kataven: the Kataven widget hub and its admin tools

Usage:
  kataven serve [flags]                 run the hub (see kataven serve --help)
  kataven demo [flags]                  run the hub with a demo account, key and demo sites (npm start)
  kataven accounts create --name NAME   create an account; prints its secret key once
  kataven widget-keys list|create|update|delete [flags]
                                        manage widget keys (see kataven widget-keys --help)
  kataven agents list|create|update [flags]
                                        manage agents (see kataven agents --help)

widget-keys and agents talk to a running hub: --api-key / KATAVEN_API_KEY (sk_live_…) and
--base-url / KATAVEN_BASE_URL (default http://127.0.0.1:8787); --json prints JSON for scripts.

Configuration: KATAVEN_* environment variables, flags over them. See README.md.`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  serve: (argv) => serveCommand(argv, false),
  demo: (argv) => serveCommand(argv, true),
  accounts: accountsCommand,
  'widget-keys': widgetKeysCommand,
  agents: agentsCommand,
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
