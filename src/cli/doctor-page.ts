/**
 * What `kataven doctor` reads from a page's HTML: the loader's <script> tags and the CSP of its
 * `<meta http-equiv>`. A tokenizer of start tags, not an HTML parser: enough for tags as people paste
 * them, with comments skipped so a commented-out tag does not count.
 */
import { LOADER_PATH } from '../protocol/loader-url.js';

/** A start tag's attributes, names lowercased; a bare attribute (`async`) has the value "". */
export type Attributes = Map<string, string>;

const COMMENT = /<!--[\s\S]*?-->/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function startTags(html: string, name: string): Attributes[] {
  const tags: Attributes[] = [];
  const tag = new RegExp(`<${name}\\b([^>]*)>`, 'gi');
  for (const m of html.replace(COMMENT, '').matchAll(tag)) {
    const attrs: Attributes = new Map();
    for (const a of m[1]!.matchAll(ATTRIBUTE)) {
      const key = a[1]!.toLowerCase();
      // HTML keeps the first of a repeated attribute.
      if (!attrs.has(key)) attrs.set(key, decode(a[2] ?? a[3] ?? a[4] ?? ''));
    }
    tags.push(attrs);
  }
  return tags;
}

/** The character references a URL or a key may carry in an attribute. */
const decode = (value: string) => value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The loader's path on a hub, evergreen or content-addressed (`/widget/v1/loader/<hash>.js`). */
export const isLoaderPath = (path: string) => path === LOADER_PATH || /^\/widget\/v1\/loader\/[^/]+\.js$/.test(path);

/** Scripts that are the loader: with a data-client-key, or with a src on a hub's loader path. */
export function loaderTags(html: string, page: URL): Attributes[] {
  return startTags(html, 'script').filter((attrs) => {
    if (attrs.has('data-client-key')) return true;
    const src = attrs.get('src');
    if (!src) return false;
    try {
      return isLoaderPath(new URL(src, page).pathname);
    } catch {
      return false;
    }
  });
}

/** The `content` of every `<meta http-equiv="Content-Security-Policy">` (the browser enforces each). */
export function metaPolicies(html: string): string[] {
  return startTags(html, 'meta')
    .filter((attrs) => attrs.get('http-equiv')?.toLowerCase() === 'content-security-policy' && attrs.has('content'))
    .map((attrs) => attrs.get('content')!);
}
