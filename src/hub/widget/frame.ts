/**
 * The frame document and its headers (DESIGN.md "The frame and the browser side"). The frame's CSS
 * and JS are inline, so the document needs no further round trip: the loader requests it in parallel
 * with the handshake, and the launcher can show one round trip after the loader. The document's CSP
 * allows exactly those two inline texts, by hash (`'sha256-…'`), and nothing else.
 */
import type { FrameDocument } from './dist.js';

/**
 * `ancestor` is the one validated origin allowed to embed the frame; null forbids every embedding.
 * `doc` is null for a refusal (no document is sent). The document is in the visitor's language, so it
 * varies with Accept-Language (it is `no-store` today; a cache in front must still not mix languages).
 */
export function frameHeaders(ancestor: string | null, doc: FrameDocument | null): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      `script-src ${doc ? doc.scriptHash : "'none'"}`,
      `style-src ${doc ? doc.styleHash : "'none'"}`,
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

/**
 * The document for an allowed page, in `lang` (its script carries that language's table). `</script`
 * or `</style` in the built text would end the element early. viewport-fit=cover: the full-screen panel
 * pads itself by env(safe-area-inset-*) instead of leaving the notch and home indicator to the browser.
 */
export function frameDocument(js: string, css: string, lang: string, dir: 'ltr' | 'rtl'): string {
  if (/<\/script/i.test(js) || /<\/style/i.test(css)) throw new Error('the built frame JS or CSS contains a closing tag; it cannot be inlined');
  return (
    `<!doctype html><html lang="${lang}" dir="${dir}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover"><title>Chat</title>' +
    `<style>${css}</style></head><body><script>${js}</script></body></html>`
  );
}
