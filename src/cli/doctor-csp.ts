/**
 * Content Security Policy as the browser applies it to the widget, for `kataven doctor`: may the page
 * load the loader (script-src), call the handshake (connect-src) and frame the widget (frame-src)?
 * Source matching follows CSP3 §6.7.2 ("Does url match expression in origin with redirect count"),
 * reduced to what a hub URL can be: http(s), a host, a port, a path.
 */

export interface Policy {
  /** Where it came from, for the message: the header or a <meta> tag. */
  from: 'header' | 'meta';
  directives: Map<string, string[]>;
}

/** One header value may hold several policies, comma-separated; each is enforced on its own. */
export function parsePolicies(from: Policy['from'], values: readonly string[]): Policy[] {
  return values.flatMap((v) => (from === 'header' ? v.split(',') : [v])).map((text) => ({ from, directives: parseDirectives(text) }));
}

function parseDirectives(text: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of text.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    // The first of a repeated directive counts (CSP3 §2.2.1).
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

const FALLBACKS: Record<string, string[]> = {
  'script-src': ['script-src-elem', 'script-src', 'default-src'],
  'connect-src': ['connect-src', 'default-src'],
  'frame-src': ['frame-src', 'child-src', 'default-src'],
};

/** The source list that governs `directive`, after the fallbacks; null when nothing restricts it. */
export function sourcesFor(policy: Policy, directive: keyof typeof FALLBACKS | string): string[] | null {
  for (const name of FALLBACKS[directive] ?? [directive]) {
    const sources = policy.directives.get(name);
    if (sources) return sources;
  }
  return null;
}

/**
 * Does the list allow `url`, requested from `page`? For a script, `nonce` is the tag's own: with
 * 'strict-dynamic' only a nonce (or hash) admits a parser-inserted script, host sources are ignored.
 */
export function allows(sources: readonly string[], url: URL, page: URL, nonce?: string): boolean {
  const list = sources.map((s) => s.toLowerCase());
  const nonceOk = nonce !== undefined && nonce !== '' && sources.some((s) => s === `'nonce-${nonce}'`);
  if (nonce !== undefined && list.includes("'strict-dynamic'")) return nonceOk;
  return nonceOk || list.some((s) => matches(s, url, page));
}

const schemeOf = (u: URL) => u.protocol.slice(0, -1);
/** A source scheme admits itself, and http admits https (CSP3: the upgrade is allowed). */
const schemeAdmits = (source: string, target: string) => source === target || (source === 'http' && target === 'https');
const HOST_SOURCE = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|\*\.[^:/]+|[^:/*]+|\[[0-9a-f:.]+\])(?::(\*|[0-9]+))?(\/.*)?$/;

function matches(source: string, url: URL, page: URL): boolean {
  const scheme = schemeOf(url);
  if (source === '*') return scheme === 'http' || scheme === 'https';
  if (source === "'self'") return url.host === page.host && schemeAdmits(schemeOf(page), scheme);
  if (/^[a-z][a-z0-9+.-]*:$/.test(source)) return schemeAdmits(source.slice(0, -1), scheme);
  const m = HOST_SOURCE.exec(source);
  if (!m || source.startsWith("'")) return false;
  const [, sourceScheme, host, port, path] = m;
  if (!schemeAdmits(sourceScheme ?? schemeOf(page), scheme)) return false;
  if (host === '*') {
    // any host
  } else if (host!.startsWith('*.')) {
    if (!url.hostname.endsWith(host!.slice(1))) return false;
  } else if (url.hostname !== host) return false;
  const effective = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  if (port === undefined ? url.port !== '' : port !== '*' && Number(port) !== effective) return false;
  if (path && path !== '/') return path.endsWith('/') ? url.pathname.startsWith(path) : url.pathname === path;
  return true;
}

/**
 * Does a Permissions-Policy header let the frame at `frameOrigin` have `feature`? An absent feature
 * keeps its default, which the iframe's `allow` attribute delegates; a listed one must name the frame's
 * origin or `*`.
 */
export function permits(header: string, feature: string, frameOrigin: string): boolean {
  for (const item of header.split(',')) {
    const [name, value = ''] = item.split('=', 2).map((s) => s.trim());
    if (name?.toLowerCase() !== feature) continue;
    const list = value.trim().replace(/^\(|\)$/g, '').trim();
    if (list === '*') return true;
    return list.split(/\s+/).some((entry) => entry === '*' || entry === `"${frameOrigin}"`);
  }
  return true;
}
