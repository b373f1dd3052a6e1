/**
 * The frame document and its headers (DESIGN.md "The frame and the browser side"). The frame's CSS
 * and JS are inline, so the document needs no further round trip: the loader requests it in parallel
 * with the handshake, and the launcher can show one round trip after the loader. The document's CSP
 * allows exactly those two inline texts, by hash (`'sha256-…'`), and nothing else.
 */
import type { BuiltAssets } from './dist.js';

/**
 * `ancestor` is the one validated origin allowed to embed the frame; null forbids every embedding.
 * `assets` is null for a refusal (no document is sent).
 */
export function frameHeaders(ancestor: string | null, assets: BuiltAssets | null): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      `script-src ${assets ? assets.frame.scriptHash : "'none'"}`,
      `style-src ${assets ? assets.frame.styleHash : "'none'"}`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${ancestor ?? "'none'"}`,
    ].join('; '),
    'referrer-policy': 'no-referrer',
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  };
}

/** The document for an allowed page. `</script` or `</style` in the built text would end the element early. */
export function frameDocument(js: string, css: string): string {
  if (/<\/script/i.test(js) || /<\/style/i.test(css)) throw new Error('the built frame JS or CSS contains a closing tag; it cannot be inlined');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><title>Chat</title>' +
    `<style>${css}</style></head><body><script>${js}</script></body></html>`
  );
}
