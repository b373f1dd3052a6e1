/**
 * The handshake's 200 as JSON text. Fastify's JSON.stringify of the answer object was the largest single
 * cost of the route's own code (~4 µs on a quiet machine, more than the token). Most of the answer is the
 * agent: its public fields and the iframe's title, the same for every visitor of that agent who reads
 * one language, so it is written once per agent and language; the rest is quoted strings (json-string.ts).
 * The text is what JSON.stringify gave for the same answer, byte for byte and in the same field order.
 */
import { TABLES } from '../../frame/lang/index.js';
import type { AgentPublic, HandshakeResponse } from '../../protocol/handshake.js';
import type { Language } from '../../protocol/languages.js';
import { jsonString } from '../json-string.js';

/** JSON text of a T. */
type Json<T> = string & { readonly of: T };
type AgentJson = Json<HandshakeResponse['agent']>;

/** The answer with its agent already written. */
export type HandshakeFields = Omit<HandshakeResponse, 'agent'> & { agent: AgentJson };

/**
 * By agent object: a cached key holds its agent until the key cache drops the key (an edit of the agent
 * or the key drops it), so a changed agent is a new object and its old text goes with the old one.
 */
const agents = new WeakMap<AgentPublic, Partial<Record<Language, AgentJson>>>();

export function agentJson(agent: AgentPublic, language: Language): AgentJson {
  let byLanguage = agents.get(agent);
  if (!byLanguage) agents.set(agent, (byLanguage = {}));
  let json = byLanguage[language];
  if (json === undefined) {
    const answer: HandshakeResponse['agent'] = { ...agent, title: TABLES[language].frameTitle(agent.name) };
    byLanguage[language] = json = JSON.stringify(answer) as AgentJson;
  }
  return json;
}

/**
 * For text that holds nothing JSON escapes, by construction: a JWS compact form (base64url and dots) and
 * an ISO 8601 date. Checking the 400-character token as jsonString does cost more than the rest together.
 */
const quoted = (text: string) => `"${text}"`;

/**
 * How each field is written, keyed by every field of HandshakeResponse and no other: a field added to
 * the protocol and not written here fails the type check.
 */
const WRITERS: { [K in keyof HandshakeResponse]-?: (value: HandshakeFields[K]) => string } = {
  session_token: quoted,
  expires_at: quoted,
  frame_url: jsonString,
  agent: (json) => json,
  identity: jsonString,
  mode: jsonString,
};
const FIELDS = Object.keys(WRITERS) as Array<keyof HandshakeResponse>;

export function handshakeJson(fields: HandshakeFields): string {
  let out = '{';
  for (const name of FIELDS) {
    // One writer per field: `never` because TypeScript cannot pair the writer's K with the value's K.
    out += `${out.length > 1 ? ',' : ''}"${name}":${WRITERS[name](fields[name] as never)}`;
  }
  return `${out}}`;
}
