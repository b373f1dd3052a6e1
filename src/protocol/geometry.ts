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
/**
 * Distance of the iframe from the viewport's bottom and side, closed and open alike (the button then
 * sits 16 px in, and stays there as the close button while the panel is open). Full screen: none.
 */
export const LAUNCHER_INSET = 8;

/**
 * The open iframe, anchored at the same corner; never taller or wider than the visible viewport. It
 * holds the panel card, floating PANEL_MARGIN inside it (so LAUNCHER_INSET + PANEL_MARGIN = 20 px from
 * the viewport's edges, with room for its shadow) above the launcher, which keeps its LAUNCHER_BOX.
 */
export const PANEL_WIDTH = 400;
export const PANEL_HEIGHT = 704;
export const PANEL_MARGIN = 12;
/** The card's bottom edge, above the launcher box and a gap. */
export const PANEL_BOTTOM = LAUNCHER_BOX + 8;

/** Below this viewport width the open panel covers the whole viewport (a phone). */
export const FULL_SCREEN_BELOW = 480;
