// Which endpoint addresses calsync refuses to call (unless OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true): loopback,
// private, link-local, unique-local, CGNAT, multicast and reserved ranges, also when written as
// IPv4-mapped or NAT64 IPv6. Checked when an endpoint is created (IP literals and names resolved now) and
// again at delivery, on the very address the connection uses (a name that resolves elsewhere later,
// DNS rebinding, is refused then).
import dns from 'node:dns';
import net from 'node:net';

const BLOCKED = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** Hosts that name this machine without DNS. */
const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)$|\.localhost$/i;
const LOOKUP_TIMEOUT_MS = 3_000;

/** The IPv4 address an IPv6 one carries (IPv4-mapped, IPv4-compatible, NAT64), or null. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted) return dotted[1] as string;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1] as string, 16);
    const low = parseInt(hex[2] as string, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

/** Whether an IP address is one calsync must not call without OUTBOUND_WEBHOOKS_ALLOW_PRIVATE. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== null && net.isIP(v4) === 4) return BLOCKED.check(v4, 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  // Not an address at all: refuse rather than guess.
  return true;
}

/** The host of a URL as the resolver wants it (IPv6 literals lose their brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export type UrlProblem = { field: 'url'; message: string };

/**
 * Checks an endpoint URL at creation: http(s), a host, no credentials, and (unless private addresses are
 * allowed) no private address, literally or as the name resolves now. A name that does not resolve yet is
 * accepted: delivery checks again on every connection.
 */
export async function checkEndpointUrl(raw: string, allowPrivate: boolean): Promise<UrlProblem | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { field: 'url', message: 'is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { field: 'url', message: 'must be an http or https URL' };
  if (url.hostname === '') return { field: 'url', message: 'has no host' };
  if (url.username !== '' || url.password !== '') return { field: 'url', message: 'must not carry credentials' };
  if (allowPrivate) return null;
  const host = hostOf(url);
  if (LOCAL_NAMES.test(host)) return { field: 'url', message: 'is a local address (set OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true to allow it)' };
  if (net.isIP(host) !== 0) {
    return isPrivateAddress(host) ? { field: 'url', message: 'is a private, loopback or link-local address (set OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true to allow it)' } : null;
  }
  const addresses = await lookupAll(host);
  if (addresses.some(isPrivateAddress)) {
    return { field: 'url', message: 'resolves to a private, loopback or link-local address (set OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true to allow it)' };
  }
  return null;
}

/** Every address a name resolves to now; none when it does not resolve within LOOKUP_TIMEOUT_MS. */
async function lookupAll(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS);
  });
  try {
    const found = dns.promises.lookup(host, { all: true, verbatim: true }).then(
      (list) => list.map((a) => a.address),
      () => [] as string[],
    );
    return await Promise.race([found, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(host: string, address: string) {
    super(`${host.slice(0, 100)} resolves to ${address}, a private address (OUTBOUND_WEBHOOKS_ALLOW_PRIVATE is not true)`);
    this.name = 'PrivateAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http that refuses private addresses: the check is on the address the socket then
 * connects to, so no later re-resolution can slip past it.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new PrivateAddressError(hostname, bad.address), []);
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}
