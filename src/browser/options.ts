/** What `loadKataven` takes: the loader's tag, as options (README, "The loader on your page"). */
interface Common {
  /** Your `pk_live_…` (or `pk_test_…`) key: the tag's `data-client-key`. */
  clientKey: string;
  /** Which bottom corner: the tag's `data-position`. Default `right`. */
  position?: 'left' | 'right';
  /** Open the panel as soon as the widget is ready: the tag's `data-open="true"`. */
  open?: boolean;
  /** Your page's CSP nonce, for a `script-src 'nonce-…'` policy without `'strict-dynamic'`. */
  nonce?: string;
  /**
   * Subresource Integrity of a pinned loader (`src` of `/widget/v1/loader/<hash>.js`); sets
   * `crossorigin="anonymous"` too, which SRI needs for a script from another origin.
   */
  integrity?: string;
}

export type LoadKatavenOptions = Common &
  (
    | {
        /** The hub's origin, e.g. `https://hub.example.com`: the evergreen loader there is used. */
        hubUrl: string;
        src?: undefined;
      }
    | {
        /** The loader's full URL, e.g. a pinned `https://hub.example.com/widget/v1/loader/<hash>.js`. */
        src: string;
        hubUrl?: undefined;
      }
  );
