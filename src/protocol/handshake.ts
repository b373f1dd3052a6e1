/**
 * Wire types of the handshake (POST /api/v1/widget/handshake), shared by the loader, the frame and the hub.
 * The request is sent as text/plain so the browser makes a CORS simple request: no preflight.
 */
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
}

export interface HandshakeResponse {
  session_token: string;
  /** ISO 8601 */
  expires_at: string;
  frame_url: string;
  agent: AgentPublic;
  /** The key's mode: the frame shows a "test" tag for a test key (pk_test_), so nobody ships one by mistake. */
  mode: KeyMode;
}

/** The accent colour of an agent created without one; the frame falls back to it for an unusable colour. */
export const DEFAULT_ACCENT_COLOR = '#4f46e5';

// The list of its error types is in error-types.ts, a file the loader does not bundle.
export type { HandshakeDenialType, HandshakeErrorType } from './error-types.js';
