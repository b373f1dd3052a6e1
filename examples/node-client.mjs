// The Node client end to end: create a widget key, print its <script> tag, list keys, update, revoke, delete.
//
//   npm run build && npm start          # prints a demo secret key (sk_live_…)
//   KATAVEN_API_KEY=sk_live_… KATAVEN_BASE_URL=http://127.0.0.1:8787 node examples/node-client.mjs
import { Kataven, NotFoundError } from 'kataven';

const client = new Kataven(); // apiKey and baseUrl from KATAVEN_API_KEY and KATAVEN_BASE_URL

// Create: the plaintext key is in this response and never again.
const created = await client.widgetKeys.create({
  name: 'Example shop',
  domain_allowlist: ['shop.example.com', 'http://localhost:3000'],
});
console.log(`created ${created.id}; paste this into the site's HTML:`);
console.log(`  <script src="${client.baseUrl}/widget/v1/loader.js" data-client-key="${created.key}" async></script>`);

// List: awaiting gives one page ({ data, has_more }); for await walks every page.
const firstPage = await client.widgetKeys.list({ limit: 10 });
console.log(`first page: ${firstPage.data.length} key(s), has_more=${firstPage.has_more}`);
for await (const key of client.widgetKeys.list()) {
  console.log(`  ${key.id}  ${key.name}  …${key.key_last8}  ${key.disabled_at ? 'disabled' : 'active'}  ${key.domain_allowlist.join(', ')}`);
}

// Update: rename and replace the whole allowlist.
const updated = await client.widgetKeys.update(created.id, { name: 'Example shop (live)', domain_allowlist: ['shop.example.com'] });
console.log(`updated ${updated.id}: ${updated.name}, allows ${updated.domain_allowlist.join(', ')}`);

// Revoke: disabled_at is set once; sites using the key stop showing the widget.
const revoked = await client.widgetKeys.update(created.id, { disabled: true });
console.log(`revoked ${revoked.id} at ${revoked.disabled_at}`);

// Delete: a key never used is removed; a used one is disabled instead, for the audit trail.
const deleted = await client.widgetKeys.delete(created.id);
console.log(deleted.deleted ? `deleted ${deleted.id}` : `${deleted.id} had been used: disabled at ${deleted.disabled_at}`);

// Errors are typed by status and carry the hub's message, error type and request id.
try {
  await client.widgetKeys.delete(created.id);
} catch (err) {
  if (!(err instanceof NotFoundError)) throw err;
  console.log(`as expected, ${err.status} ${err.type}: ${err.message} (request ${err.requestId})`);
}
