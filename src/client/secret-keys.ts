/** `client.secretKeys`: the account's sk_live_ keys, which this client authenticates with. */
import type { RotatedSecretKey, RotateSecretKeyParams } from '../protocol/api.js';
import type { RequestOptions } from './kataven.js';
import { APIResource } from './resource.js';
import { ROUTES } from './routes.js';

export class SecretKeys extends APIResource {
  /**
   * Mints a new secret key (returned once). The account's other keys, this client's included, keep
   * working for `grace_period_s` seconds (default 86400), then are refused; `0` revokes them at once.
   * Make a new client with the new key.
   *
   * @example
   * const { secret_key, previous_keys_expire_at } = await client.secretKeys.rotate({ grace_period_s: 3600 });
   * const next = new Kataven({ apiKey: secret_key, baseUrl: client.baseUrl });
   * @see http://127.0.0.1:8787/docs#/secret-keys/post_api_v1_secret_keys_rotate (the API reference; every hub serves it at /docs)
   */
  rotate(params: RotateSecretKeyParams = {}, options?: RequestOptions): Promise<RotatedSecretKey> {
    return this.client.request(ROUTES.secretKeys.rotate, { body: params, options });
  }
}
