/**
 * The console's two documents and their Content-Security-Policy. No inline script or style anywhere:
 * scripts and styles come from 'self' only, and no site may frame the console (clickjacking a "Revoke"
 * button). The preview document shows the real widget view (src/frame/view.ts) with the agent settings
 * being edited; only the console itself may frame it.
 */
import type { ConsoleAssets } from './assets.js';

const csp = (ancestors: string, frames: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `frame-src ${frames}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');

export const CONSOLE_CSP = csp("'none'", "'self'");
export const PREVIEW_CSP = csp("'self'", "'none'");

export function consolePage(names: ConsoleAssets['names']): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kataven console</title>
<link rel="stylesheet" href="/console/assets/${names.css}">
<script src="/console/assets/${names.js}" defer></script>
</head>
<body>
<noscript>The console needs JavaScript. The same operations: the Admin API at /docs.</noscript>
</body>
</html>
`;
}

/** `frameCss`: the widget's own stylesheet (/widget/v1/assets/…), so the preview looks as the widget does. */
export function previewPage(names: ConsoleAssets['names'], frameCss: string | null): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Widget preview</title>
${frameCss ? `<link rel="stylesheet" href="/widget/v1/assets/${frameCss}">` : ''}
<script src="/console/assets/${names.preview}" defer></script>
</head>
<body></body>
</html>
`;
}
