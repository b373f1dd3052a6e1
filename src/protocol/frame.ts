/**
 * The widget frame's URL, built by the loader before the handshake so that the frame loads in
 * parallel with it: `FRAME_PATH?k=<pk_live_ key>&o=<page origin>`. Both values are public (the key is
 * in the page's own <script> tag); the session token never goes in a URL, it arrives on the
 * MessageChannel after the handshake. The hub answers with `frame-ancestors <o>` only if the key allows
 * `o`. `k` may also be a widget key id (`wk_…`), the form of the handshake's `frame_url`.
 */
export const FRAME_PATH = '/widget/v1/frame';

/** The iframe's `allow` attribute: the features the widget uses, which a page's Permissions-Policy can deny. */
export const FRAME_ALLOW = 'clipboard-write';
