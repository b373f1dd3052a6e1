/** `Authorization: Bearer <token>`, for the Admin API's secret keys and the frame's session tokens alike. */
const BEARER = /^Bearer\s+(\S+)$/i;

/** The token, or null when the header is absent or not one Bearer token. */
export function bearerToken(header: string | undefined): string | null {
  return header === undefined ? null : (BEARER.exec(header)?.[1] ?? null);
}
