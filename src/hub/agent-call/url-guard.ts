/**
 * The SSRF rule for agent URLs (`webhook_url`, `llm.base_url`): the hub's requests never reach loopback,
 * link-local (cloud metadata at 169.254.169.254), private, shared (CGNAT), unspecified, multicast or
 * reserved addresses, nor those addresses wrapped in IPv6 (mapped, compatible, NAT64, 6to4), unless the
 * operator allows private networks (`KATAVEN_ALLOW_PRIVATE_WEBHOOKS=true`).
 *
 * Checked twice: `checkAgentUrl` when a URL is saved (IP literals and `localhost` names), and
 * `guardedLookup` at send time on every address DNS gives, before connecting, so a name that resolves (or
 * is rebound) to an inner address is refused at the moment it would be used.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const ALLOW_PRIVATE_HINT =
  'start the hub with KATAVEN_ALLOW_PRIVATE_WEBHOOKS=true (--allow-private-webhooks) if the agent runs on your own network';

const RANGES: [address: string, prefix: number, kind: string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['169.254.0.0', 16, 'link-local'],
  ['192.0.0.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved or broadcast'],
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['fc00::', 7, 'private (unique local)'],
  ['ff00::', 8, 'multicast'],
];

const BLOCKED = RANGES.map(([address, prefix, kind]) => {
  const list = new BlockList();
  list.addSubnet(address, prefix, isIP(address) === 4 ? 'ipv4' : 'ipv6');
  return { list, kind, family: isIP(address) === 4 ? ('ipv4' as const) : ('ipv6' as const) };
});

/** The 8 groups of an IPv6 address (`::` expanded, a dotted IPv4 tail folded in, a `%zone` dropped). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, dotted.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The IPv4 address an IPv6 one carries, for the forms that deliver to it: mapped, compatible, NAT64, 6to4. */
function embeddedIpv4(groups: number[]): string | undefined {
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const zeroes = (...gs: (number | undefined)[]) => gs.every((g) => g === 0);
  if (zeroes(g0, g1, g2, g3, g4) && (g5 === 0xffff || (g5 === 0 && (g6 !== 0 || g7 > 1)))) return v4(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && zeroes(g2, g3, g4, g5)) return v4(g6, g7);
  if (g0 === 0x2002) return v4(g1 ?? 0, g2 ?? 0);
  return undefined;
}

/** What kind of inner address `address` (an IP) is, e.g. "loopback"; undefined for a public one. */
export function blockedKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  if (family === 6) {
    const inner = embeddedIpv4(ipv6Groups(address));
    if (inner) return blockedKind(inner);
  }
  return BLOCKED.find((b) => b.family === (family === 4 ? 'ipv4' : 'ipv6') && b.list.check(address, b.family))?.kind;
}

export type AgentUrlCheck = { ok: true; url: URL } | { ok: false; message: string };

export interface AgentUrlOptions {
  allowPrivate: boolean;
  /** The field named in messages, e.g. `webhook_url` or `llm.base_url`. */
  field?: string;
}

/**
 * Whether the hub may send to `raw`, as far as the URL alone tells (the addresses a name resolves to are
 * checked at send time). Call it when an agent URL is saved; the message says what to write instead.
 */
export function checkAgentUrl(raw: string, { allowPrivate, field = 'url' }: AgentUrlOptions): AgentUrlCheck {
  if (!URL.canParse(raw)) return { ok: false, message: `${field} is not a URL: write it in full, e.g. https://agent.example.com/kataven` };
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: `${field} must start with https:// (or http://), not ${url.protocol}//` };
  }
  if (url.username || url.password) {
    return { ok: false, message: `${field} must not carry a user name or password: the hub signs each request instead (an llm has api_key)` };
  }
  if (allowPrivate) return { ok: true, url };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const kind = /(^|\.)localhost\.?$/i.test(host) ? 'loopback' : blockedKind(host);
  if (kind) {
    return {
      ok: false,
      message: `${field} points at ${url.hostname}, a ${kind} address: the hub does not send into its own network. Use the agent's public URL, or ${ALLOW_PRIVATE_HINT}`,
    };
  }
  return { ok: true, url };
}

/** Every address of a host name, as `dns.lookup({ all: true })` gives them. Tests inject their own. */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

/** Raised by `guardedLookup`; its message names the address and the switch. */
export class AddressRefused extends Error {
  override name = 'AddressRefused';
}

/**
 * A `lookup` for node:http(s) `request`: resolves the name, refuses the connection if ANY address is an
 * inner one (a name with one public and one private address must not reach the private one on a retry),
 * and hands node exactly the addresses it checked, so no second resolution can differ (DNS rebinding).
 */
export function guardedLookup(resolve: Resolver, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname)
      .then((addresses) => {
        const refused = allowPrivate ? undefined : addresses.find((a) => blockedKind(a.address));
        if (refused) {
          throw new AddressRefused(`${hostname} resolves to ${refused.address}, a ${blockedKind(refused.address)} address; ${ALLOW_PRIVATE_HINT}`);
        }
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
        const usable = addresses.filter((a) => family === 0 || a.family === family);
        if (!usable.length) throw Object.assign(new Error(`${hostname} has no IPv${family || ''} address`), { code: 'ENOTFOUND' });
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, ''));
  };
}
