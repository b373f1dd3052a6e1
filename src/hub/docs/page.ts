/**
 * The /docs document and the script that starts Swagger UI in it. Both are ours; the renderer's own
 * files come from the swagger-ui-dist package (assets.ts). No inline script or style: the page's CSP
 * allows scripts from 'self' only.
 */

export interface DocsAssetNames {
  bundle: string;
  css: string;
  init: string;
  icon: string;
}

/** The Content-Security-Policy of the /docs page and its assets: see README ("API reference"). */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI's stylesheet is a file, but it also writes <style> elements at run time (its syntax
  // highlighter and layout): those need 'unsafe-inline' for styles. Scripts stay 'self' only.
  "style-src 'self' 'unsafe-inline'",
  // The stylesheet's icons are data: SVGs.
  "img-src 'self' data:",
  // The spec, and "Try it out" against this same hub.
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Starts Swagger UI on the hub's own spec. validatorUrl: null, or it would ask validator.swagger.io. */
export const INIT_SCRIPT = `window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#docs',
    deepLinking: true,
    docExpansion: 'full',
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
    withCredentials: false,
  });
});
`;

export function docsPage(names: DocsAssetNames): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kataven Hub API reference</title>
<link rel="icon" type="image/png" href="/docs/assets/${names.icon}">
<link rel="stylesheet" href="/docs/assets/${names.css}">
<script src="/docs/assets/${names.bundle}" defer></script>
<script src="/docs/assets/${names.init}" defer></script>
</head>
<body>
<main id="docs"><noscript>The API reference needs JavaScript. The same content as JSON: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript></main>
</body>
</html>
`;
}
