/**
 * Where a widget key works, in the words the CLI and the console both print: one text, so the two never
 * disagree about a key. A test key works on loopback pages whatever its allowlist says (the hub's
 * origin check, src/hub/visitor/origin-check.ts), so its allowlist is never what an owner should read.
 */
export const TEST_KEY_HOSTS = 'localhost, 127.0.0.1 and [::1]';

/** A test key's place in an allowlist column. */
export const TEST_KEY_REACH = `${TEST_KEY_HOSTS}, any port (test key)`;

/** An `allowed` answer of check-origin as a sentence: a test key allows a loopback origin without any entry. */
export const allowedText = (origin: string, matchedEntry: string | null) =>
  `Allowed: ${origin} ${matchedEntry ? `matches the entry ${JSON.stringify(matchedEntry)}` : 'is a loopback origin, where a test key works'}.`;
