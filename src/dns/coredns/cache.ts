// The `cache` plugin (plugin/cache, CoreDNS 1.14.7) as far as a client can see it: the TTLs of an answer, and
// whether a repeated question is answered from the cache. Pure.
import type {DnsAnswer} from '../records.js'
import {type CacheSettings, matchZone} from '../settings.js'
import type {ChainContext, Next, Plugin, Question, Served} from './types.js'
import {lowerName} from './types.js'

/**
 * What the cache does to an answer on its way out (cache.go WriteMsg): every record gets the message's lowest TTL,
 * clamped to the cache's [min, max] TTL — also where storing is disabled, which only stops storing. Where it stores, a
 * later answer may come from the cache: TTLs count down and names are spelled as the first asker spelled them.
 * `n`: the question's name, normalized (lower case, no trailing dot).
 */
export function throughCache<T extends DnsAnswer>(cache: CacheSettings, n: string, a: T): T {
  if (matchZone(n, cache.zones) === undefined) return a
  // Replies upstream writes are not predicted; a reply nobody wrote never reaches the cache.
  if ((a.rcode === null && a.answers.length === 0) || (a as Served).unwritten) return a
  const positive = a.answers.length > 0
  let shaped = a
  if (positive) {
    let lowest = Infinity
    for (const r of a.answers) lowest = Math.min(lowest, r.ttl)
    const ttl = Math.min(Math.max(lowest, cache.minSuccessTtl), cache.successTtl)
    if (a.answers.some((r) => r.ttl !== ttl)) shaped = {...a, answers: a.answers.map((r) => ({...r, ttl}))}
  }
  const stored = positive ? matchZone(n, cache.disableSuccess) === undefined : a.rcode !== null && matchZone(n, cache.disableDenial) === undefined
  if (!stored) return shaped
  // Said once per report (records.ts cacheNote), not on every answer.
  return {...shaped, cached: true}
}

export class CachePlugin implements Plugin {
  readonly name = 'cache'
  constructor(readonly settings: CacheSettings) {}

  serve(q: Question, next: Next, ctx: ChainContext): Served {
    const n = lowerName(q.name).slice(0, -1)
    if (matchZone(n, this.settings.zones) === undefined) return next(q, ctx)
    ctx.trace.plugins.push(this.name)
    return throughCache(this.settings, n, next(q, ctx))
  }
}
