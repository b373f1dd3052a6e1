/**
 * The languages the widget speaks (src/frame/strings.ts is English, src/frame/lang/<code>.ts each
 * other), and which of them are written right to left. The hub picks one per frame document
 * (src/hub/widget/language.ts): the agent's `locale`, else the visitor's best `Accept-Language` match,
 * else English.
 */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'pt', 'ja', 'ar', 'he'] as const;
export type Language = (typeof LANGUAGES)[number];

export const RTL_LANGUAGES: readonly Language[] = ['ar', 'he'];

export const DEFAULT_LANGUAGE: Language = 'en';

/** How an agent's widget looks: `auto` follows the visitor's `prefers-color-scheme`. */
export const THEMES = ['auto', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
