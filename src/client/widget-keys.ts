/**
 * `client.widgetKeys`: the pk_live_ keys a site pastes into its <script> tag. Public identifiers, not
 * credentials: the domain allowlist is what keeps them safe. Each method is one Hub API request.
 */
import type {
  AllowlistValidation, CreatedWidgetKey, CreateWidgetKeyParams, DeletedWidgetKey, ListParams, UpdateWidgetKeyParams, WidgetKey, WidgetKeyList,
} from '../protocol/api.js';
import type { RequestOptions } from './kataven.js';
import { PagePromise } from './pagination.js';
import { APIResource } from './resource.js';
import { ROUTES } from './routes.js';

export class WidgetKeys extends APIResource {
  /**
   * Lists widget keys, newest first: metadata only, never the plaintext key (only `key_last8`).
   * Await it for one page, or iterate it for every key across pages.
   *
   * @example
   * const page = await client.widgetKeys.list({ limit: 10 }); // { data, has_more }
   * for await (const key of client.widgetKeys.list()) console.log(key.id, key.name);
   * @see http://127.0.0.1:8787/docs#/widget-keys/get_api_v1_widget_keys (the API reference; every hub serves it at /docs)
   */
  list(params: ListParams = {}, options?: RequestOptions): PagePromise<WidgetKey> {
    const { limit, starting_after } = params;
    return new PagePromise(
      (after) => this.client.request<WidgetKeyList>(ROUTES.widgetKeys.list, { query: { limit, starting_after: after }, options }),
      starting_after,
    );
  }

  /**
   * Mints a pk_live_ key. The plaintext `key` is in this response and never again. Sent with an
   * Idempotency-Key (generated unless given), so retries cannot mint a second key.
   *
   * @example
   * const created = await client.widgetKeys.create({ name: 'Shop', domain_allowlist: ['shop.example.com'] });
   * console.log(created.key); // pk_live_…: paste into data-client-key
   * @see http://127.0.0.1:8787/docs#/widget-keys/post_api_v1_widget_keys (the API reference; every hub serves it at /docs)
   */
  create(input: CreateWidgetKeyParams, options?: RequestOptions): Promise<CreatedWidgetKey> {
    return this.client.request(ROUTES.widgetKeys.create, { body: input, options });
  }

  /**
   * Renames the key, replaces its domain allowlist, repins its agent (null: the account's default), or
   * revokes it (`disabled: true` sets disabled_at once; `false` clears it).
   *
   * @example
   * await client.widgetKeys.update('wk_…', { domain_allowlist: ['shop.example.com', '*.shop.example.com'] });
   * await client.widgetKeys.update('wk_…', { disabled: true }); // revoke
   * @see http://127.0.0.1:8787/docs#/widget-keys/patch_api_v1_widget_keys__id_ (the API reference; every hub serves it at /docs)
   */
  update(id: string, patch: UpdateWidgetKeyParams, options?: RequestOptions): Promise<WidgetKey> {
    return this.client.request(ROUTES.widgetKeys.update, { id, body: patch, options });
  }

  /**
   * Deletes a key that was never used (`deleted: true`); a key that was used is disabled instead and kept
   * for the audit trail (`deleted: false, disabled_at`).
   *
   * @example
   * const { deleted } = await client.widgetKeys.delete('wk_…');
   * @see http://127.0.0.1:8787/docs#/widget-keys/delete_api_v1_widget_keys__id_ (the API reference; every hub serves it at /docs)
   */
  delete(id: string, options?: RequestOptions): Promise<DeletedWidgetKey> {
    return this.client.request(ROUTES.widgetKeys.delete, { id, options });
  }

  /**
   * Checks an allowlist without saving it: each entry's normalised form, or the message a create or
   * update would refuse it with. For forms that validate as the owner types.
   *
   * @example
   * const { valid, entries } = await client.widgetKeys.validateAllowlist(['Shop.Example.com/', '*.github.io']);
   * // entries[0].normalized === 'shop.example.com'; entries[1].error names the public suffix
   * @see http://127.0.0.1:8787/docs#/widget-keys/post_api_v1_allowlist_validate (the API reference; every hub serves it at /docs)
   */
  validateAllowlist(domainAllowlist: string[], options?: RequestOptions): Promise<AllowlistValidation> {
    return this.client.request(ROUTES.widgetKeys.validateAllowlist, { body: { domain_allowlist: domainAllowlist }, options });
  }
}
