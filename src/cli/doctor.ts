/** `kataven doctor URL`: why is the widget blank on this page? A checklist, each failing line with its fix. */
import { parse, UsageError } from './args.js';
import { diagnose, type Line } from './doctor-checks.js';
import { printJson } from './client-from-env.js';

const DOCTOR_USAGE = `Usage: kataven doctor URL [--api-key KEY] [--base-url URL] [--json]

Fetches the page at URL (a dev server, a staging site: wherever it is reachable from here) and checks
what decides whether the widget shows there:

  the loader tag (data-client-key, async/defer, an SRI pin matching a build the hub serves), the hub
  serving the loader, the key's format and checksum, the key's status and the allowlist's answer for the
  page's origin (with a secret key), the widget frame as the hub answers it for that origin, the page's
  Content-Security-Policy (header and <meta>: script-src, connect-src, frame-src, 'strict-dynamic' with a
  nonce) and a Permissions-Policy that would deny the frame what it uses.

Exits 0 when no check fails (a skipped check does not fail), 1 otherwise, 2 on a usage error.

Flags:
  --api-key KEY   secret key sk_live_… of the key's account (default: $KATAVEN_API_KEY); without it the
                  key's status and the allowlist check are skipped
  --base-url URL  the hub's API (default: $KATAVEN_BASE_URL, else the origin of the tag's src)
  --json          the checklist as JSON
  -h, --help      this help

Example:
  kataven doctor http://localhost:3000/ --api-key sk_live_…`;

const FLAGS = { 'api-key': { type: 'string' }, 'base-url': { type: 'string' }, json: { type: 'boolean' } } as const;

const MARK: Record<Line['status'], string> = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' };

export async function doctorCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, FLAGS, DOCTOR_USAGE);
  if (values.help) return void console.log(DOCTOR_USAGE);
  if (positionals.length !== 1) throw new UsageError(`${positionals.length ? 'one URL only' : 'which page? give its URL'}\n\n${DOCTOR_USAGE}`);
  let url: URL;
  try {
    url = new URL(positionals[0]!);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`${JSON.stringify(positionals[0])} is not an http(s) URL; give the page's full address, e.g. https://shop.example.com/\n\n${DOCTOR_USAGE}`);
  }
  const lines = await diagnose(url, {
    apiKey: values['api-key'] || process.env.KATAVEN_API_KEY || undefined,
    baseUrl: values['base-url'] || process.env.KATAVEN_BASE_URL || undefined,
  });
  const failed = lines.filter((l) => l.status === 'fail').length;
  if (values.json) printJson({ url: url.href, ok: failed === 0, checks: lines });
  else {
    console.log(`kataven doctor ${url.href}\n`);
    for (const l of lines) {
      console.log(`${MARK[l.status]}  ${l.title}: ${l.detail}`);
      if (l.fix) console.log(`      fix: ${l.fix}`);
    }
    const skipped = lines.filter((l) => l.status === 'skip').length;
    console.log(`\n${lines.length - failed - skipped} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  }
  if (failed) process.exitCode = 1;
}
