/**
 * Widget geometry in CSS pixels: the one source for the loader, which sizes the iframe, and for
 * src/frame/frame.css, which lays out the launcher and the panel inside it (a test parses the CSS and
 * checks it against these numbers, since CSS cannot import them).
 */

/** The round launcher button. */
export const LAUNCHER_SIZE = 56;
/**
 * Room around the button inside the closed iframe: its focus ring (3 px outline at a 2 px offset) and
 * its shadow (2 px down, 6 px blur). Not more: every transparent pixel of the iframe takes the clicks
 * meant for the host content under it.
 */
export const LAUNCHER_MARGIN = 8;
/** The closed iframe: the button plus its margin on each side. */
export const LAUNCHER_BOX = LAUNCHER_SIZE + 2 * LAUNCHER_MARGIN;
/** Distance of the closed iframe from the viewport's bottom and side (the button then sits 16 px in). */
export const LAUNCHER_INSET = 8;

/**
 * The open iframe, in the corner itself (no inset, so that `max-width: 100%` keeps it inside a zoomed
 * page too); never taller or wider than the visible viewport. It holds the panel card, floating
 * PANEL_MARGIN from the viewport's edges (room for its shadow), and below the card the launcher, drawn
 * LAUNCHER_INSET + LAUNCHER_MARGIN in: where it was while closed, now the close button.
 */
export const PANEL_WIDTH = 420;
export const PANEL_HEIGHT = 720;
export const PANEL_MARGIN = 20;
/** The card's bottom edge: above the launcher's box as it sits in the open iframe. */
export const PANEL_BOTTOM = LAUNCHER_INSET + LAUNCHER_BOX;

/** Below this viewport width the open panel covers the whole viewport (a phone). */
export const FULL_SCREEN_BELOW = 480;
