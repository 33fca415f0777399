import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1, in any spelling (BlockList also matches IPv4-mapped IPv6, ::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  const family = address === undefined ? 0 : isIP(address);
  return family !== 0 && loopback.check(address!, family === 4 ? 'ipv4' : 'ipv6');
}

/** The addresses a proxy says it forwarded for: X-Forwarded-For, X-Real-IP and RFC 7239 Forwarded `for=`. */
function forwardedFor(request: IncomingMessage): string[] {
  const addresses: string[] = [];
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  for (const entry of header('x-forwarded-for').split(',')) if (entry.trim()) addresses.push(entry.trim());
  if (header('x-real-ip').trim()) addresses.push(header('x-real-ip').trim());
  for (const element of header('forwarded').split(',')) {
    for (const pair of element.split(';')) {
      const [name, value] = pair.split('=', 2).map((part) => part?.trim());
      if (name?.toLowerCase() !== 'for' || value === undefined) continue;
      // for="[2001:db8::1]:4711", for=192.0.2.60:80, for=unknown, for=_hidden (RFC 7239 §6).
      const unquoted = value.replace(/^"|"$/g, '');
      const bracketed = /^\[([^\]]+)\]/.exec(unquoted);
      addresses.push(bracketed ? bracketed[1]! : unquoted.replace(/:\d+$/, ''));
    }
  }
  return addresses;
}

/**
 * A caller on this machine: connected from a loopback address, and not on behalf of anyone else.
 * The socket's peer is what counts, never the `trust proxy` view (`req.ip`), which a header can
 * set. A proxy on this machine connects from loopback too, so whatever it says it forwarded for
 * must be loopback as well: a remote caller behind it (or one writing the header itself, to which
 * the proxy appends the real address) is not local. A proxy that forwards without saying so
 * cannot be told from a local caller; don't put one in front of a development instance.
 */
export function isLoopbackCaller(request: IncomingMessage): boolean {
  return isLoopbackAddress(request.socket.remoteAddress) && forwardedFor(request).every(isLoopbackAddress);
}
