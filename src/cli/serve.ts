/** `kataven serve` runs the hub; `kataven demo` also seeds the demo account and prints what to paste. */
import { startDemoSite } from '../demo/sites.js';
import { startServer } from '../hub/server.js';
import { parse } from './args.js';
import { DEMO_ALLOWLIST, ensureDemo } from './demo-seed.js';
import { HUB_FLAG_OPTIONS, hubConfigOrExit, hubFlagsHelp } from './hub-config.js';

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

const SERVE_USAGE = `Usage: kataven serve [flags]

Runs the hub: Hub API, widget endpoints, loader and frame. Flags override KATAVEN_* variables; the
settings without a flag are read from the environment only (see README.md, Configuration).

Flags:
${hubFlagsHelp()}
  -h, --help`;

const DEMO_USAGE = `Usage: kataven demo [serve flags]

Runs the hub with a demo account, agent and widget key (allowlist ${DEMO_ALLOWLIST.join(', ')}), and prints the
secret key and the <script> tag to paste. Takes the flags of kataven serve (kataven serve --help).`;

export async function serveCommand(argv: string[], demo: boolean): Promise<void> {
  const usage = demo ? DEMO_USAGE : SERVE_USAGE;
  const { values } = parse(argv, HUB_FLAG_OPTIONS, usage);
  if (values.help) return void console.log(usage);
  const config = hubConfigOrExit({ ...(demo ? { 'log-level': process.env.KATAVEN_LOG_LEVEL ?? 'warn' } : {}), ...values });
  if (demo && !config.publicUrl && LOOPBACK.includes(config.host) && config.port !== 0) {
    // The allowed demo site is http://localhost:3000. Naming the hub http://localhost too makes the frame
    // same-site with it, so a browser that blocks third-party storage (Debian's Chromium does by default)
    // still lets the frame keep the conversation id across reloads. Real sites are cross-site: see README.
    config.publicUrl = `http://localhost:${config.port}`;
  }
  const hub = await startServer(config);
  if (!demo) return void hub.app.log.info(`hub listening on ${hub.url}`);
  const { demo: creds, created } = await ensureDemo(hub, config.dataDir);
  const site = (host: string, port: number) =>
    startDemoSite({ hubUrl: hub.url, clientKey: creds.widget_key, host, port }).catch((err: Error) => {
      throw new Error(`cannot serve the demo site on ${host}:${port} (${err.message}); stop whatever uses that port`);
    });
  const allowed = await site('localhost', 3000);
  const refused = await site('127.0.0.1', 3001);
  // The demo sites live as long as the process: the hub's shutdown handler ends it.
  const integrity = hub.ctx.assets?.loader.integrity ?? '(build the loader first)';
  console.log(`
Kataven hub          ${hub.url}   (data in ${config.dataDir})
Demo account         ${creds.account_id}${created ? ' (created now)' : ''}
Demo secret key      ${creds.secret_key}
Demo widget key      ${creds.widget_key}   allowlist: ${DEMO_ALLOWLIST.join(', ')}

Demo site, allowed     ${allowed.url}     (the launcher appears bottom right)
Demo site, not allowed ${refused.url}    (no widget; one [kataven] warning in the console)

Paste this into a page served from http://localhost:3000:

  <script src="${hub.url}/widget/v1/loader.js" data-client-key="${creds.widget_key}" async></script>

Or pinned to this exact build with Subresource Integrity:

  <script src="${hub.url}/widget/v1/loader/${hub.ctx.assets?.loader.hash}.js" integrity="${integrity}" crossorigin="anonymous" data-client-key="${creds.widget_key}" async></script>

Try the API:  curl -H "Authorization: Bearer ${creds.secret_key}" ${hub.url}/api/v1/widget-keys
Stop with Ctrl-C.`);
}
