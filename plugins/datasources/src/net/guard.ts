import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ItemError } from '../common/errors.js';

/**
 * Which addresses an import may connect to. Unless an admin allows private networks, the
 * server refuses loopback, private, link-local, carrier-grade NAT, multicast and reserved
 * addresses, so a user cannot make it fetch from the network it sits in (cloud metadata,
 * databases, admin consoles). The check runs on the address actually connected to (in the
 * DNS lookup of each connection), so a name that resolves to an internal address is refused
 * too, including after a redirect.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96], ['100::', 64],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv6');

export class NetworkGuard {
  constructor(readonly allowPrivate: boolean) {}

  /** Why `address` may not be used, or null when it may. */
  refusal(address: string): string | null {
    if (this.allowPrivate) return null;
    const family = isIP(address);
    if (family === 0) return `'${address}' is not an IP address`;
    let a = address;
    // IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it is
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
    if (mapped) a = mapped[1]!;
    const blocked = BLOCKED.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
    return blocked
      ? `${address} is a loopback, private or reserved address; imports may only reach public servers (an admin can allow private networks with the plugin option allowPrivateNetworks)`
      : null;
  }

  /** A `lookup` for net/http/tls that refuses blocked addresses. */
  readonly lookup = (
    hostname: string,
    options: { family?: number | string; all?: boolean } | number | undefined,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    const opts = typeof options === 'object' && options !== null ? options : {};
    dnsLookup(hostname, { ...(opts as object), all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const why = this.refusal(a.address);
        if (why) return callback(Object.assign(new Error(`${hostname}: ${why}`), { code: 'EVOCLOUDBLOCKED' }), '', 0);
      }
      if ((opts as { all?: boolean }).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };

  /** Check a host before connecting: IP literals directly, names through DNS. Returns an address to connect to. */
  async resolve(hostname: string): Promise<string> {
    const host = hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      const why = this.refusal(host);
      if (why) throw new ItemError(why, false);
      return host;
    }
    return new Promise((resolve, reject) => {
      this.lookup(host, {}, (err, address) => {
        if (err) reject(new ItemError(err.code === 'EVOCLOUDBLOCKED' ? err.message : `cannot resolve ${host}: ${err.message}`, err.code === 'EAI_AGAIN'));
        else resolve(address as string);
      });
    });
  }
}
