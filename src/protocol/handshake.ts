/**
 * Wire types of the handshake (POST /api/v1/widget/handshake), shared by the loader, the frame and the hub.
 * The request is sent as text/plain so the browser makes a CORS simple request: no preflight.
 */
import type { IdentityMode } from './identity.js';
import type { Language, Theme } from './languages.js';
import type { KeyMode } from './keys.js';

export const HANDSHAKE_PATH = '/api/v1/widget/handshake';

export interface HandshakeRequest {
  client_key: string;
}

export interface AgentPublic {
  id: string;
  name: string;
  greeting: string;
  accent_color: string;
  theme: Theme;
  /** The widget's language, as the owner set it; null: the visitor's browser language decides. */
  locale: Language | null;
}

export interface HandshakeResponse {
  session_token: string;
  /** ISO 8601 */
  expires_at: string;
  frame_url: string;
  /** `title`: the iframe's title on the host page, in the visitor's language (the loader sets it). */
  agent: AgentPublic & { title: string };
  /** The key's verified-visitor mode (identity.ts): `required` makes the frame ask the visitor to sign in. */
  identity: IdentityMode;
  /** The key's mode: the frame shows a "test" tag for a test key (pk_test_), so nobody ships one by mistake. */
  mode: KeyMode;
}

/** The accent colour of an agent created without one; the frame falls back to it for an unusable colour. */
export const DEFAULT_ACCENT_COLOR = '#4f46e5';

// The list of its error types is in error-types.ts, a file the loader does not bundle.
export type { HandshakeDenialType, HandshakeErrorType } from './error-types.js';
