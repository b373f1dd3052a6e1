/**
 * The language table of this frame build. English here, for the source and its tests; build.mjs builds
 * one frame script per language and, in each, loads this module as a re-export of that language's
 * table instead, so a frame script carries one table only.
 */
export { EN as T } from '../strings.js';
