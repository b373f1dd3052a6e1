/**
 * `client.widgetKeys`: the pk_live_ (and, for local development, pk_test_) keys a site pastes into its <script> tag. Public identifiers, not
 * credentials: the domain allowlist is what keeps them safe. Each method is one Hub API request.
 */
import type {
  AllowlistValidation, BlockedOriginList, CheckOriginResult, CreatedWidgetKey, CreateWidgetKeyParams, DeletedWidgetKey, ListParams, RotateIdentitySecretParams, UpdateWidgetKeyParams,
  WidgetKey, WidgetKeyList, WidgetKeyWithIdentitySecret,
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
   * Mints a pk_live_ key, or with `mode: 'test'` a pk_test_ key that works only on localhost, 127.0.0.1
   * and [::1] (any port) whatever its allowlist. The plaintext `key` is in this response and never again. Sent with an
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
   * revokes it (`disabled: true` sets disabled_at once; `false` clears it), or sets `identity` (verified
   * visitors): the update that turns it on returns `identity_secret`, once.
   *
   * @example
   * await client.widgetKeys.update('wk_…', { domain_allowlist: ['shop.example.com', '*.shop.example.com'] });
   * await client.widgetKeys.update('wk_…', { disabled: true }); // revoke
   * const { identity_secret } = await client.widgetKeys.update('wk_…', { identity: 'required' });
   * @see http://127.0.0.1:8787/docs#/widget-keys/patch_api_v1_widget_keys__id_ (the API reference; every hub serves it at /docs)
   */
  update(id: string, patch: UpdateWidgetKeyParams, options?: RequestOptions): Promise<WidgetKeyWithIdentitySecret> {
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
   * Mints a new identity secret, returned once; the previous one keeps verifying visitor tokens for
   * `grace_period_s` (default 86400, 24 h; 0 stops it at once), time to deploy the new one.
   *
   * @example
   * const { identity_secret, previous_identity_secret_expires_at } = await client.widgetKeys.rotateIdentitySecret('wk_…');
   * @see http://127.0.0.1:8787/docs#/widget-keys/post_api_v1_widget_keys__id__identity_secret (the API reference; every hub serves it at /docs)
   */
  rotateIdentitySecret(id: string, params: RotateIdentitySecretParams = {}, options?: RequestOptions): Promise<WidgetKeyWithIdentitySecret> {
    return this.client.request(ROUTES.widgetKeys.rotateIdentitySecret, { id, body: params, options });
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

  /**
   * The origins whose handshakes this key refused and still refuses (one allowed since is left out), newest
   * first: at most 100, each kept 30 days, with the refusal's type and a count. The first way to answer
   * "why is my widget blank?".
   *
   * @example
   * const { data } = await client.widgetKeys.blockedOrigins('wk_…');
   * for (const b of data) console.log(b.origin, b.type, b.count);
   * @see http://127.0.0.1:8787/docs#/widget-keys/get_api_v1_widget_keys__id__blocked_origins (the API reference; every hub serves it at /docs)
   */
  blockedOrigins(id: string, options?: RequestOptions): Promise<BlockedOriginList> {
    return this.client.request(ROUTES.widgetKeys.blockedOrigins, { id, options });
  }

  /**
   * Would a page of `origin` pass this key's handshake now? Answers with the allowlist entry that admits
   * it, or the handshake's refusal and the entry to add (`suggested_entry`). Changes nothing.
   *
   * @example
   * const r = await client.widgetKeys.checkOrigin('wk_…', 'https://shop.example.com');
   * if (!r.allowed && r.suggested_entry) await client.widgetKeys.update('wk_…', { domain_allowlist: [...key.domain_allowlist, r.suggested_entry] });
   * @see http://127.0.0.1:8787/docs#/widget-keys/post_api_v1_widget_keys__id__check_origin (the API reference; every hub serves it at /docs)
   */
  checkOrigin(id: string, origin: string, options?: RequestOptions): Promise<CheckOriginResult> {
    return this.client.request(ROUTES.widgetKeys.checkOrigin, { id, body: { origin }, options });
  }
}
