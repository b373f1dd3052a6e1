/**
 * The checks of `kataven doctor`, in the order a blank widget is best explained: the page, the loader
 * tag, the hub serving it (and the SRI pin), the key, the allowlist (check-origin), the frame as the hub
 * answers it for this page, the page's CSP and Permissions-Policy. Each failing line says what to do.
 */
import { createHash } from 'node:crypto';
import { Kataven, type WidgetKey } from '../client/index.js';
import { last8, publicKeyMode } from '../hub/keys/format.js';
import { FRAME_ALLOW, FRAME_PATH } from '../protocol/frame.js';
import { HANDSHAKE_PATH } from '../protocol/handshake.js';
import { KEY_CHECKSUM_LENGTH, KEY_RANDOM_LENGTH, PUBLIC_KEY_PREFIX, TEST_PUBLIC_KEY_PREFIX } from '../protocol/keys.js';
import { LOADER_PATH } from '../protocol/loader-url.js';
import { allows, parsePolicies, permits, sourcesFor, type Policy } from './doctor-csp.js';
import { isLoaderPath, loaderTags, metaPolicies, type Attributes } from './doctor-page.js';

export interface Line {
  status: 'pass' | 'fail' | 'skip';
  title: string;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  /** A secret key of the key's account: needed for the key's status and the allowlist check. */
  apiKey?: string;
  /** The hub's API; default: the origin of the loader tag's src. */
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const pass = (title: string, detail: string): Line => ({ status: 'pass', title, detail });
const fail = (title: string, detail: string, fix: string): Line => ({ status: 'fail', title, detail, fix });
const skip = (title: string, detail: string): Line => ({ status: 'skip', title, detail });

export async function diagnose(pageUrl: URL, options: DoctorOptions = {}): Promise<Line[]> {
  const get = (url: URL | string, init: RequestInit = {}) =>
    (options.fetch ?? fetch)(url, { redirect: 'follow', ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  const lines: Line[] = [];

  let res: Response;
  let html: string;
  try {
    res = await get(pageUrl, { headers: { accept: 'text/html' } });
    html = await res.text();
  } catch (err) {
    return [fail('page', `could not fetch ${pageUrl.href}: ${(err as Error).message}`, 'check the URL, and that the page is reachable from where the doctor runs')];
  }
  const page = new URL(res.url || pageUrl.href);
  if (!res.ok) return [fail('page', `${page.href} answered HTTP ${res.status}`, 'give the URL of a page that shows the widget')];
  lines.push(pass('page', `fetched ${page.href} (HTTP ${res.status}), origin ${page.origin}`));

  const tags = loaderTags(html, page);
  const tag = tags[0];
  if (!tag) {
    lines.push(fail('loader tag', 'no <script> with data-client-key or a hub loader src in the HTML',
      `paste the tag before </body>: <script src="https://YOUR-HUB${LOADER_PATH}" data-client-key="pk_live_…" async></script> (a tag added by JavaScript, e.g. kataven/browser, is invisible here: check the browser console's [kataven] line)`));
    return lines;
  }
  const src = tag.get('src');
  const key = tag.get('data-client-key');
  let loaderUrl: URL | null = null;
  try {
    loaderUrl = src ? new URL(src, page) : null;
  } catch {
    /* reported below */
  }
  if (!loaderUrl || !/^https?:$/.test(loaderUrl.protocol)) {
    lines.push(fail('loader tag', `src ${JSON.stringify(src ?? '')} is not an http(s) URL`, `src must be the hub's loader, e.g. https://YOUR-HUB${LOADER_PATH}`));
    return lines;
  }
  if (key === undefined) {
    lines.push(fail('loader tag', `<script src="${loaderUrl.href}"> has no data-client-key`, 'add data-client-key="pk_live_…", the key printed when it was created'));
    return lines;
  }
  lines.push(pass('loader tag', `<script src="${loaderUrl.href}" data-client-key="…${last8(key)}">${tags.length > 1 ? ` (${tags.length} tags: the loader ignores every one after the first)` : ''}`));
  lines.push(tag.has('async') || tag.has('defer')
    ? pass('loading', `the tag has ${tag.has('async') ? 'async' : 'defer'}: the page never waits for the hub`)
    : fail('loading', 'the tag has neither async nor defer: the page stops rendering until the hub answers', 'add async to the tag'));

  const hub = new URL(options.baseUrl ?? loaderUrl.origin);
  lines.push(...(await loaderLines(get, loaderUrl, tag)));
  const keyLine = keyFormatLine(key);
  lines.push(keyLine);
  if (keyLine.status === 'pass') {
    lines.push(await allowlistLine(hub, key, page.origin, options));
    lines.push(await frameLine(get, loaderUrl.origin, key, page.origin, Boolean(options.apiKey)));
  }
  lines.push(...cspLines(res.headers, html, page, loaderUrl, tag));
  lines.push(permissionsLine(res.headers, loaderUrl.origin));
  return lines;
}

async function loaderLines(get: (u: URL | string) => Promise<Response>, loaderUrl: URL, tag: Attributes): Promise<Line[]> {
  let body: Buffer;
  try {
    const res = await get(loaderUrl);
    if (!res.ok) return [fail('hub', `${loaderUrl.href} answered HTTP ${res.status}`, `check the src: the hub serves its loader at ${loaderUrl.origin}${LOADER_PATH}`)];
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    return [fail('hub', `could not fetch ${loaderUrl.href}: ${(err as Error).message}`, 'check that the hub is up and reachable at that address')];
  }
  const lines = [pass('hub', `${loaderUrl.origin} serves the loader (${body.length} bytes)`)];
  const integrity = tag.get('integrity');
  if (integrity === undefined) {
    lines.push(pass('SRI', 'no integrity attribute (optional: pin /widget/v1/loader/<hash>.js with its integrity value to load exactly that build)'));
    return lines;
  }
  const actual = `sha384-${createHash('sha384').update(body).digest('base64')}`;
  if (!integrity.split(/\s+/).includes(actual)) {
    lines.push(fail('SRI', `integrity ${JSON.stringify(integrity)} does not match the build the hub serves at that URL (${actual}): the browser refuses the script`,
      'copy the pinned URL and integrity value that `npm run build` or `kataven demo` print for this hub'));
  } else if (!isLoaderPath(loaderUrl.pathname) || loaderUrl.pathname === LOADER_PATH) {
    lines.push(fail('SRI', 'the integrity matches today, but the evergreen loader.js changes with every hub upgrade and the pin will then break it',
      'pin the content-addressed URL /widget/v1/loader/<hash>.js that `npm run build` or `kataven demo` print, with its integrity value'));
  } else if (tag.get('crossorigin') === undefined) {
    lines.push(fail('SRI', 'integrity without crossorigin: a cross-origin script must be fetched with CORS for the browser to check it', 'add crossorigin="anonymous" to the tag'));
  } else {
    lines.push(pass('SRI', `integrity matches the pinned build the hub serves (${actual.slice(0, 19)}…)`));
  }
  return lines;
}

function keyFormatLine(key: string): Line {
  const mode = publicKeyMode(key);
  if (mode) return pass('key format', `…${last8(key)} is a well-formed ${mode} key (checksum correct)`);
  const length = PUBLIC_KEY_PREFIX.length + KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH;
  return fail('key format', `data-client-key ${JSON.stringify(key.slice(0, 60))} is not a widget key: expected ${PUBLIC_KEY_PREFIX}… or ${TEST_PUBLIC_KEY_PREFIX}…, ${length} characters with a valid checksum`,
    'copy the key again exactly as it was printed at creation (a typo or a cut copy breaks the checksum)');
}

/** The key's status and the allowlist's answer for the page origin, from the Admin API. */
async function allowlistLine(hub: URL, key: string, origin: string, options: DoctorOptions): Promise<Line> {
  if (!options.apiKey) {
    return skip('key and allowlist', 'skipped: needs a secret key of the key\'s account (--api-key sk_live_… or KATAVEN_API_KEY); the frame check below still shows whether the hub admits this page');
  }
  const client = new Kataven({ apiKey: options.apiKey, baseUrl: hub.origin, maxRetries: 0 });
  let found: WidgetKey | undefined;
  try {
    // The API never shows plaintext keys: the key is found by its last 8 characters.
    for await (const k of client.widgetKeys.list({ limit: 100 })) if (k.key_last8 === last8(key)) found = k;
  } catch (err) {
    return fail('key and allowlist', `the Admin API at ${hub.origin} refused: ${(err as Error).message}`, 'check --api-key and --base-url');
  }
  if (!found) {
    return fail('key and allowlist', `no widget key of this account ends in ${last8(key)}`, `use a key of this account (kataven widget-keys list), or the secret key of the key's own account; it may have been deleted`);
  }
  if (found.disabled_at) {
    return fail('key and allowlist', `key ${found.id} is disabled (since ${found.disabled_at})`, `enable it: kataven widget-keys update ${found.id} --enable, or create a new key`);
  }
  const check = await client.widgetKeys.checkOrigin(found.id, origin).catch((err: Error) => err);
  if (check instanceof Error) return fail('key and allowlist', `check-origin failed: ${check.message}`, 'check that the hub is up to date');
  if (check.allowed) {
    return pass('key and allowlist', `${found.mode} key ${found.id} is enabled and admits ${origin}${check.matched_entry ? ` (entry ${JSON.stringify(check.matched_entry)})` : ' (a test key on a loopback page)'}`);
  }
  return fail('key and allowlist', check.reason ?? `${origin} is refused`, check.suggested_entry
    ? `add ${JSON.stringify(check.suggested_entry)} to the allowlist of ${found.id}: kataven widget-keys update ${found.id} ${[...found.domain_allowlist, check.suggested_entry].map((d) => `--domain ${d}`).join(' ')}`
    : found.mode === 'test' ? 'create a live key for this site: kataven widget-keys create --name NAME --domain SITE' : 'load the widget from an http(s) page of an allowed site');
}

/** The frame document the hub answers for this page: refused (204), or framable only by that origin. */
async function frameLine(get: (u: URL | string) => Promise<Response>, hubOrigin: string, key: string, origin: string, withApiKey: boolean): Promise<Line> {
  const url = `${hubOrigin}${FRAME_PATH}?k=${encodeURIComponent(key)}&o=${encodeURIComponent(origin)}`;
  let res: Response;
  try {
    res = await get(url);
    await res.arrayBuffer();
  } catch (err) {
    return fail('frame', `could not fetch the widget frame: ${(err as Error).message}`, 'check that the hub is up');
  }
  if (res.status === 204) {
    return fail('frame', `the hub will not let ${origin} frame the widget with this key (the key is unknown, disabled or does not allow this origin)`, withApiKey ? 'see the key and allowlist line above' : 'run again with --api-key sk_live_… for the reason and the entry to add');
  }
  if (!res.ok) return fail('frame', `the widget frame answered HTTP ${res.status}`, 'check the hub\'s log; `npm run build` must have run on the hub');
  const xfo = res.headers.get('x-frame-options');
  if (xfo) {
    return fail('frame', `the frame arrives with X-Frame-Options: ${xfo}, which stops the browser from showing it in any page`,
      `remove X-Frame-Options for ${FRAME_PATH} in the proxy or CDN in front of the hub (the hub sends frame-ancestors instead)`);
  }
  const csp = res.headers.get('content-security-policy') ?? '';
  if (!csp.includes(`frame-ancestors ${origin}`)) {
    return fail('frame', `the frame's CSP does not name ${origin} in frame-ancestors (${JSON.stringify(csp.slice(0, 120))})`, 'something in front of the hub rewrites its Content-Security-Policy: let the hub\'s header through');
  }
  return pass('frame', `the hub serves the widget frame with frame-ancestors ${origin}`);
}

const CSP_TARGETS = [
  { directive: 'script-src', what: 'load the loader' },
  { directive: 'connect-src', what: 'call the handshake' },
  { directive: 'frame-src', what: 'show the widget frame' },
] as const;

function cspLines(headers: Headers, html: string, page: URL, loaderUrl: URL, tag: Attributes): Line[] {
  const header = headers.get('content-security-policy');
  const policies: Policy[] = [...parsePolicies('header', header ? [header] : []), ...parsePolicies('meta', metaPolicies(html))];
  if (!policies.length) return [pass('CSP', 'the page has no Content-Security-Policy (header or <meta>): nothing blocks the hub')];
  const hub = loaderUrl.origin;
  const urls = { 'script-src': loaderUrl, 'connect-src': new URL(HANDSHAKE_PATH, hub), 'frame-src': new URL(FRAME_PATH, hub) };
  return CSP_TARGETS.map(({ directive, what }) => {
    const blocking = policies.filter((p) => {
      const sources = sourcesFor(p, directive);
      return sources !== null && !allows(sources, urls[directive], page, directive === 'script-src' ? (tag.get('nonce') ?? '') : undefined);
    });
    if (!blocking.length) return pass(`CSP ${directive}`, `allows the hub to ${what}`);
    const strict = directive === 'script-src' && blocking.some((p) => sourcesFor(p, directive)!.some((s) => s.toLowerCase() === "'strict-dynamic'"));
    const fix = strict
      ? "the policy uses 'strict-dynamic': give the loader tag the response's nonce (nonce=\"…\" matching 'nonce-…', fresh for every response)"
      : `add ${hub} to ${directive} in the page's ${blocking.map((p) => (p.from === 'header' ? 'Content-Security-Policy header' : '<meta> policy')).join(' and ')}`;
    return fail(`CSP ${directive}`, `the ${blocking[0]!.from === 'header' ? 'header' : '<meta>'} policy does not let the page ${what} at ${hub}`, fix);
  });
}

function permissionsLine(headers: Headers, hubOrigin: string): Line {
  const policy = headers.get('permissions-policy');
  if (!policy || permits(policy, FRAME_ALLOW, hubOrigin)) return pass('Permissions-Policy', `does not deny the widget ${FRAME_ALLOW}`);
  return fail('Permissions-Policy', `the page's Permissions-Policy denies ${FRAME_ALLOW} to ${hubOrigin}: the widget cannot write to the clipboard`,
    `allow it for the hub: ${FRAME_ALLOW}=(self "${hubOrigin}")`);
}
