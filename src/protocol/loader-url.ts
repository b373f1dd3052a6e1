/**
 * Where a hub serves the evergreen loader: the path of the `<script src>` every install snippet names.
 * The page-side helper (src/browser/) builds its tag from it; the hub's route (src/hub/widget/routes.ts)
 * serves it.
 */
export const LOADER_PATH = '/widget/v1/loader.js';

/**
 * The install snippets for a key: the evergreen tag, and the tag pinned to one build with Subresource
 * Integrity (`/widget/v1/loader/<hash>.js`, which never changes). The hub prints them (`kataven demo`)
 * and the console shows them; both build them here. `pinned` is null when the hub has no built loader.
 */
export function installTags(hubUrl: string, clientKey: string, pinned: { hash: string; integrity: string } | null): { tag: string; pinned: string | null } {
  return {
    tag: `<script src="${hubUrl}${LOADER_PATH}" data-client-key="${clientKey}" async></script>`,
    pinned: pinned
      ? `<script src="${hubUrl}/widget/v1/loader/${pinned.hash}.js" integrity="${pinned.integrity}" crossorigin="anonymous" data-client-key="${clientKey}" async></script>`
      : null,
  };
}
