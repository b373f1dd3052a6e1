/** `kataven serve` runs the hub; `kataven demo` also seeds the demo account and prints what to paste. */
import { startDemoSite } from '../demo/sites.js';
import { startServer } from '../hub/server.js';
import { parse, UsageError } from './args.js';
import { DEMO_SITE_PORT, ensureDemo } from './demo-seed.js';
import { HUB_FLAG_OPTIONS, hubConfigOrExit, hubFlagsHelp } from './hub-config.js';
import { explainListenError } from './port-taken.js';
import { installTags } from '../protocol/loader-url.js';

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

const SERVE_USAGE = `Usage: kataven serve [flags]

Runs the hub: Hub API, widget endpoints, loader and frame. Flags override KATAVEN_* variables; the
settings without a flag are read from the environment only (see README.md, Configuration).

Flags:
${hubFlagsHelp()}
  -h, --help`;

const DEMO_USAGE = `Usage: kataven demo [serve flags] [--site-port 3000] [--refused-site-port 3001]

Runs the hub with a demo account, agent and two widget keys, serves the demo site on
http://localhost:<site port> with a test key (pk_test_: any loopback page) and on
http://127.0.0.1:<refused site port> with a live key whose allowlist is localhost:<site port> only (so
the widget is refused there), and prints the secret key and the <script> tag to paste. Takes the flags of kataven serve (kataven serve --help).`;

const DEMO_FLAGS = { ...HUB_FLAG_OPTIONS, 'site-port': { type: 'string' }, 'refused-site-port': { type: 'string' } } as const;

function portFlag(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65535) return Number(value);
  throw new UsageError(`--${flag}=${JSON.stringify(value)}: must be a port from 1 to 65535\n\n${DEMO_USAGE}`);
}

export async function serveCommand(argv: string[], demo: boolean): Promise<void> {
  const usage = demo ? DEMO_USAGE : SERVE_USAGE;
  // serve refuses the demo's site flags.
  const { values } = parse(argv, demo ? DEMO_FLAGS : HUB_FLAG_OPTIONS, usage);
  if (values.help) return void console.log(usage);
  const command = demo ? 'kataven demo' : 'kataven serve';
  const sitePort = portFlag(values['site-port'], 'site-port', DEMO_SITE_PORT);
  const refusedPort = portFlag(values['refused-site-port'], 'refused-site-port', sitePort === 65535 ? sitePort - 1 : sitePort + 1);
  const config = hubConfigOrExit({ ...(demo ? { 'log-level': process.env.KATAVEN_LOG_LEVEL ?? 'warn' } : {}), ...values });
  // The demo's agents are the built-in one or the owner's own on this machine (examples/agent-webhook).
  if (demo && (values as Record<string, unknown>)['allow-private-webhooks'] === undefined && !process.env.KATAVEN_ALLOW_PRIVATE_WEBHOOKS) config.allowPrivateWebhooks = true;
  if (demo && !config.publicUrl && LOOPBACK.includes(config.host) && config.port !== 0) {
    // The allowed demo site is http://localhost:<site port>. Naming the hub http://localhost too makes the frame
    // same-site with it, so a browser that blocks third-party storage (Debian's Chromium does by default)
    // still lets the frame keep the conversation id across reloads. Real sites are cross-site: see README.
    config.publicUrl = `http://localhost:${config.port}`;
  }
  const hub = await startServer(config).catch(async (err: unknown) => {
    throw await explainListenError(err, { host: config.host, port: config.port, flag: '--port', command, avoid: demo ? [sitePort, refusedPort] : [] });
  });
  if (!demo) return void hub.app.log.info(`hub listening on ${hub.url}`);
  const { demo: creds, created } = await ensureDemo(hub, config.dataDir, sitePort);
  const site = (host: string, port: number, flag: string, clientKey: string) =>
    startDemoSite({ hubUrl: hub.url, clientKey, host, port }).catch(async (err: unknown) => {
      throw await explainListenError(err, { host, port, flag, command, avoid: [Number(new URL(hub.url).port), sitePort, refusedPort] });
    });
  const allowed = await site('localhost', sitePort, '--site-port', creds.widget_key);
  const refused = await site('127.0.0.1', refusedPort, '--refused-site-port', creds.live_widget_key);
  // The demo sites live as long as the process: the hub's shutdown handler ends it.
  const tags = installTags(hub.url, creds.widget_key, hub.ctx.assets?.loader ?? null);
  console.log(`
Kataven hub          ${hub.url}   (data in ${config.dataDir})
Demo account         ${creds.account_id}${created ? ' (created now)' : ''}
Demo secret key      ${creds.secret_key}
Demo test key        ${creds.widget_key}   works on localhost, 127.0.0.1 and [::1] pages
Demo live key        ${creds.live_widget_key}   allowlist: localhost:${sitePort}

Demo site, allowed     ${allowed.url}     (test key: the launcher appears bottom right, with a "Test" tag)
Demo site, not allowed ${refused.url}    (live key: no widget; one [kataven] warning in the console)

Paste this into any page served from localhost (the test key):

  ${tags.tag}

Or pinned to this exact build with Subresource Integrity:

  ${tags.pinned ?? '(build the loader first: npm run build)'}

API reference: ${hub.url}/docs
Console:      ${hub.url}/console   (sign in with the demo secret key)
Try the API:  curl -H "Authorization: Bearer ${creds.secret_key}" ${hub.url}/api/v1/widget-keys
Stop with Ctrl-C.`);
}
