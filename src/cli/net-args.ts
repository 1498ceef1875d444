/** Argument parsers shared by `serve` and `run --api`: ports, bind addresses, comma lists. */
import { isIPv6 } from 'node:net';
import { InvalidArgumentError } from 'commander';

export function portArg(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return value;
}

/** A host name, an IPv4 address, or an IPv6 address bare (`::1`) or in brackets (`[::1]`, as in URLs). */
export function hostArg(value: string): string {
  const inner = /^\[(.*)\]$/.exec(value)?.[1];
  if (inner !== undefined ? isIPv6(inner) : /^[A-Za-z0-9.:-]+$/.test(value) && !value.includes('[')) return value;
  throw new InvalidArgumentError('expected a host name or an address such as 127.0.0.1, ::1 or [::1]');
}

export function commaList(value: string | undefined): string[] | undefined {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}
