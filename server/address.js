// Who a client is, for the limits per client: its IPv4 address, or its IPv6 /64 (one host
// usually has a whole /64 to itself, so counting single IPv6 addresses would let it take 2^64
// slots).
'use strict'

const net = require('node:net')

/** The key of client address `ip` (as Node gives it: IPv4, IPv6, or IPv4-mapped IPv6). */
function clientOf(ip) {
  if (typeof ip !== 'string' || !net.isIPv6(ip)) return ip
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return mapped[1]
  return `${groups(ip).slice(0, 4).join(':')}::/64`
}

/** The eight 16-bit groups of IPv6 address `ip`, as hexadecimal without leading zeros. */
function groups(ip) {
  const [head, tail] = ip.replace(/%.*$/, '').split('::')
  const part = (text) => (text ? text.split(':') : [])
  let left = part(head)
  let right = tail === undefined ? [] : part(tail)
  // An embedded IPv4 address takes two groups.
  const last = (right.length ? right : left).at(-1)
  if (last?.includes('.')) {
    const bytes = last.split('.').map(Number)
    const pair = [((bytes[0] << 8) | bytes[1]).toString(16), ((bytes[2] << 8) | bytes[3]).toString(16)]
    if (right.length) right = [...right.slice(0, -1), ...pair]
    else left = [...left.slice(0, -1), ...pair]
  }
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0')
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16))
}

module.exports = { clientOf }
