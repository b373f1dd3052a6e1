/**
 * The console cookie on the wire: which name and attributes this request gets (https or not, as the hub's
 * public URL says, else as the request came: `request.protocol` honours KATAVEN_TRUST_PROXY), reading it
 * from a Cookie header, and the Set-Cookie lines that set and clear it.
 */
import type { FastifyRequest } from 'fastify';
import { CONSOLE_COOKIE, CONSOLE_COOKIE_SECURE } from '../../protocol/console.js';

/** The origin the console is served from: the public URL's, else this request's own. */
export function hubOrigin(publicUrl: string | null, request: FastifyRequest): string {
  return publicUrl ? new URL(publicUrl).origin : `${request.protocol}://${request.host}`;
}

const isSecure = (publicUrl: string | null, request: FastifyRequest) => hubOrigin(publicUrl, request).startsWith('https:');

export const cookieName = (publicUrl: string | null, request: FastifyRequest) => (isSecure(publicUrl, request) ? CONSOLE_COOKIE_SECURE : CONSOLE_COOKIE);

/** The console cookie's value in this request, or null. */
export function readCookie(publicUrl: string | null, request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  const name = cookieName(publicUrl, request);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/**
 * HttpOnly: page script never reads it (an XSS cannot carry the session away). SameSite=Strict: a
 * request started by another site carries no cookie at all, a form POST included. Path=/: the console
 * calls /api/v1 with it.
 */
export function setCookie(publicUrl: string | null, request: FastifyRequest, value: string, maxAgeS: number): string {
  const secure = isSecure(publicUrl, request) ? '; Secure' : '';
  return `${cookieName(publicUrl, request)}=${value}; Path=/; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`;
}

export const clearCookie = (publicUrl: string | null, request: FastifyRequest) => setCookie(publicUrl, request, '', 0);
