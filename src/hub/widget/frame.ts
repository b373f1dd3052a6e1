/** The frame document and its headers (DESIGN.md "The frame and the browser side"). */
import type { BuiltAssets } from './dist.js';

/** `ancestor` is the one validated origin allowed to embed the frame; null forbids every embedding. */
export function frameHeaders(ancestor: string | null): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
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

export function frameDocument(assets: BuiltAssets, allowed: boolean): string {
  if (!allowed) {
    return '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Widget unavailable</title></head><body>This widget is not available on this site.</body></html>';
  }
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><title>Chat</title>' +
    `<link rel="stylesheet" href="/widget/v1/assets/${assets.frame.css}"></head>` +
    `<body><script src="/widget/v1/assets/${assets.frame.js}" defer></script></body></html>`
  );
}
