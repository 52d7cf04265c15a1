/**
 * Whether a URL's host names this machine or a private network by its literal form:
 * `localhost`, a loopback, private, link-local (cloud metadata at 169.254.169.254),
 * carrier-grade NAT or reserved IPv4 address, or the IPv6 equivalents. Crawl URLs can
 * come through the API, so without this guard anyone allowed to ingest could make the
 * server fetch internal services (SSRF).
 *
 * Only literal hosts are judged: a DNS name that resolves to a private address is not
 * caught here (that needs a resolver hook in the HTTP client).
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const ipv4 = parseIpv4(host);
  if (ipv4) return isPrivateIpv4(ipv4);
  if (host.startsWith('[') && host.endsWith(']')) {
    const ipv6 = parseIpv6(host.slice(1, -1));
    return ipv6 === null ? false : isPrivateIpv6(ipv6);
  }
  return false;
}

type Ipv4 = [number, number, number, number];

// WHATWG URL parsing already turns 0x7f.1, 2130706433 and friends into dotted decimal.
function parseIpv4(host: string): Ipv4 | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? (octets as Ipv4) : null;
}

function isPrivateIpv4([a, b]: Ipv4): boolean {
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, cloud metadata endpoints
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) || // IETF protocol assignments
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast and reserved
  );
}

function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const group of part.split(':')) {
      const ipv4 = group.includes('.') ? parseIpv4(group) : null;
      if (ipv4) groups.push((ipv4[0] << 8) | ipv4[1], (ipv4[2] << 8) | ipv4[3]);
      else if (/^[0-9a-f]{1,4}$/.test(group)) groups.push(Number.parseInt(group, 16));
      else return null;
    }
    return groups;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function isPrivateIpv6(groups: number[]): boolean {
  const embedded = embeddedIpv4(groups);
  if (embedded) return isPrivateIpv4(embedded);
  const [first = 0] = groups;
  return (
    groups.every((group) => group === 0) || // :: (unspecified)
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xffc0) === 0xfec0 || // deprecated site-local
    (first & 0xff00) === 0xff00 // multicast
  );
}

/**
 * The IPv4 address an IPv6 address carries, for every form that routes to it: a
 * request to one of these reaches the IPv4 host, so it is judged as that host.
 */
function embeddedIpv4(groups: number[]): Ipv4 | null {
  const at = (index: number): number => groups[index] ?? 0;
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((group) => group === 0);
  const fromGroups = (high: number, low: number): Ipv4 => [high >> 8, high & 0xff, low >> 8, low & 0xff];
  // ::a.b.c.d (IPv4-compatible, deprecated; ::1 is loopback here too) and ::ffff:a.b.c.d (IPv4-mapped)
  if (zeros(0, 5) && (at(5) === 0 || at(5) === 0xffff)) return fromGroups(at(6), at(7));
  // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765)
  if (zeros(0, 4) && at(4) === 0xffff && at(5) === 0) return fromGroups(at(6), at(7));
  // 64:ff9b::/96 (NAT64, RFC 6052) and 64:ff9b:1::/48 (local-use NAT64, RFC 8215)
  if (at(0) === 0x64 && at(1) === 0xff9b) return fromGroups(at(6), at(7));
  // 2002::/16 (6to4): the IPv4 address follows the prefix
  if (at(0) === 0x2002) return fromGroups(at(1), at(2));
  // 2001:0::/32 (Teredo): the client's address is stored inverted in the last 32 bits
  if (at(0) === 0x2001 && at(1) === 0) return fromGroups(at(6) ^ 0xffff, at(7) ^ 0xffff);
  return null;
}
