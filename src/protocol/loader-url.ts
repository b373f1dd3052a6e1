/**
 * Where a hub serves the evergreen loader: the path of the `<script src>` every install snippet names.
 * The page-side helper (src/browser/) builds its tag from it; the hub's route (src/hub/widget/routes.ts)
 * serves it.
 */
export const LOADER_PATH = '/widget/v1/loader.js';
