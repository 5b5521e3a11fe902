import { describe, expect, test } from "bun:test";
import { isPublicAddress } from "../../../src/oauth/cimd";

/**
 * The CIMD fetch is attacker-directed (SSRF). isPublicAddress is the guard every resolved address passes; the
 * table names each special-purpose range with a representative address. Regression: ::a.b.c.d, 6to4, local-use
 * NAT64, fec0::/10, 100::/64, Teredo and 192.88.99.0/24 used to pass as "public".
 */
const REFUSED: [string, string][] = [
  ["0.0.0.0/8 this network", "0.1.2.3"],
  ["10.0.0.0/8 private", "10.1.2.3"],
  ["100.64.0.0/10 CGNAT", "100.64.0.1"],
  ["100.64.0.0/10 CGNAT upper end", "100.127.255.254"],
  ["127.0.0.0/8 loopback", "127.0.0.1"],
  ["127.0.0.0/8 loopback, other host", "127.255.0.9"],
  ["169.254.0.0/16 link-local / cloud metadata", "169.254.169.254"],
  ["172.16.0.0/12 private", "172.16.0.1"],
  ["172.16.0.0/12 private upper end", "172.31.255.254"],
  ["192.0.0.0/24 IETF protocol assignments", "192.0.0.8"],
  ["192.0.2.0/24 TEST-NET-1", "192.0.2.1"],
  ["192.88.99.0/24 6to4 relay anycast", "192.88.99.1"],
  ["192.168.0.0/16 private", "192.168.1.5"],
  ["198.18.0.0/15 benchmarking", "198.19.0.1"],
  ["198.51.100.0/24 TEST-NET-2", "198.51.100.7"],
  ["203.0.113.0/24 TEST-NET-3", "203.0.113.9"],
  ["224.0.0.0/4 multicast", "224.0.0.1"],
  ["240.0.0.0/4 reserved", "240.0.0.1"],
  ["broadcast", "255.255.255.255"],
  ["::1 loopback", "::1"],
  ["::1 loopback, long form", "0:0:0:0:0:0:0:1"],
  [":: unspecified", "::"],
  ["::ffff:0:0/96 mapped loopback", "::ffff:127.0.0.1"],
  ["::ffff:0:0/96 mapped metadata, hex form", "::ffff:a9fe:a9fe"],
  ["::ffff:0:0/96 mapped private", "::ffff:10.0.0.1"],
  ["::ffff:0:0:0/96 IPv4-translated loopback", "::ffff:0:127.0.0.1"],
  ["IPv4-compatible ::a.b.c.d loopback", "::127.0.0.1"],
  ["IPv4-compatible ::a.b.c.d metadata", "::169.254.169.254"],
  ["IPv4-compatible hex form, private", "::a00:1"],
  ["6to4 2002::/16 embedding 127.0.0.1", "2002:7f00:1::1"],
  ["6to4 2002::/16 embedding 10.0.0.1", "2002:a00:1::"],
  ["6to4 2002::/16 embedding 169.254.169.254", "2002:a9fe:a9fe::1"],
  ["64:ff9b::/96 NAT64 of metadata", "64:ff9b::a9fe:a9fe"],
  ["64:ff9b::/96 NAT64 of loopback, dotted", "64:ff9b::127.0.0.1"],
  ["64:ff9b:1::/48 local-use NAT64", "64:ff9b:1::808:808"],
  ["fec0::/10 site-local", "fec0::1"],
  ["100::/64 discard-only", "100::1"],
  ["2001::/32 Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
  ["2001:db8::/32 documentation", "2001:db8::1"],
  ["3fff::/20 documentation", "3fff::1"],
  ["fc00::/7 unique local", "fc00::1"],
  ["fc00::/7 unique local (fd)", "fd12:3456::1"],
  ["fe80::/10 link-local", "fe80::1"],
  ["fe80::/10 link-local with zone", "fe80::1%eth0"],
  ["ff00::/8 multicast", "ff02::1"],
  ["bracketed loopback", "[::1]"],
  ["not an address", "garbage"],
  ["hostname", "localhost"],
  ["short IPv4", "127.1"],
  ["empty", ""],
];

const ALLOWED: [string, string][] = [
  ["public IPv4", "93.184.216.34"],
  ["public IPv4 (DNS)", "8.8.8.8"],
  ["just past 172.16/12", "172.32.0.1"],
  ["just past 100.64/10", "100.128.0.1"],
  ["public IPv6", "2606:4700:4700::1111"],
  ["public IPv6, bracketed", "[2606:4700:4700::1111]"],
  ["mapped public IPv4", "::ffff:8.8.8.8"],
  ["NAT64 of a public IPv4", "64:ff9b::808:808"],
  ["IPv4-compatible form of a public IPv4 (judged by the embedded address)", "::8.8.8.8"],
  ["6to4 of a public IPv4", "2002:808:808::1"],
  ["global unicast next to 2001::/23", "2001:4860:4860::8888"],
];

describe("isPublicAddress (CIMD SSRF guard)", () => {
  test.each(REFUSED)("refuses %s (%s)", (_name, address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
  test.each(ALLOWED)("allows %s (%s)", (_name, address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});
