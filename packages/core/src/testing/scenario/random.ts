/**
 * Deterministic randomness for the scenario builder: a string hash, a keyed hash (the same
 * keys always give the same number, whatever order things are generated in) and a small
 * sequential generator for walks through a roster.
 *
 * @internal
 */

/** FNV-1a, 32 bits. @internal */
export const hashString = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** The key every chance of a scenario starts from. @internal */
export const seedKey = (seed: number): number => hashString(`minqing:${seed}`)

const round = (h: number, k: number): number => {
  k = Math.imul(k | 0, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

const finish = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A 32-bit hash of four integers (murmur3 rounds). @internal */
export const hash = (a: number, b: number, c: number, d: number): number =>
  finish(round(round(round(round(0x2f1a2b3c, a), b), c), d))

/** A number in [0, 1) keyed by four integers. @internal */
export const unit = (a: number, b: number, c: number, d: number): number => hash(a, b, c, d) / 4294967296

/** A sequential generator (mulberry32). @internal */
export class Rng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** A number in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<A>(items: ReadonlyArray<A>): A {
    return items[Math.floor(this.next() * items.length)]
  }
  /** An item by weight: `[[item, weight], ...]`. */
  weighted<A>(items: ReadonlyArray<readonly [A, number]>): A {
    let total = 0
    for (const [, w] of items) total += w
    let r = this.next() * total
    for (const [item, w] of items) {
      r -= w
      if (r < 0) return item
    }
    return items[items.length - 1][0]
  }
}
