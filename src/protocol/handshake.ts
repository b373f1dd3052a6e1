/**
 * Wire types of the handshake (POST /api/v1/widget/handshake), shared by the loader, the frame and the hub.
 * The request is sent as text/plain so the browser makes a CORS simple request: no preflight.
 */

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
}

/** Every reason a handshake or a session refresh can be refused, as sent in `error.type`. */
export type HandshakeErrorType =
  | 'key_malformed'
  | 'key_not_found'
  | 'key_disabled'
  | 'origin_missing'
  | 'origin_not_allowed'
  | 'rate_limited';
