/**
 * Constructors of plain objects: their prototype is `Object.prototype`, as an object
 * literal's, so they read, compare and serialise exactly like literals. The engines make
 * tens of thousands of tasks, windows and member rows per call; V8 allocates them through a
 * constructor far faster than through a literal when most of them outlive the call (a
 * literal's allocation site is tracked for pretenuring, a constructor's is not).
 */
import type { LocalDate } from "../LocalDate.js"

/** A record's fields made writable, for the `this` of a constructor below or elsewhere. */
export type Mutable<A> = { -readonly [K in keyof A]: A[K] }

/** Orders records by id. */
export const byId = <A extends { readonly id: string }>(a: A, b: A) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Sorts records by id in place: insertion sort for the few a household has (no garbage). */
export const sortById = <A extends { readonly id: string }>(xs: Array<A>): void => {
  if (xs.length > 16) {
    xs.sort(byId)
    return
  }
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i]
    let j = i - 1
    while (j >= 0 && xs[j].id > x.id) {
      xs[j + 1] = xs[j]
      j--
    }
    xs[j + 1] = x
  }
}

/** `{ from, to }`: a task's window. */
export interface Window {
  readonly from: LocalDate
  readonly to: LocalDate
}

function WindowObject(this: { from: LocalDate; to: LocalDate }, from: LocalDate, to: LocalDate) {
  this.from = from
  this.to = to
}
WindowObject.prototype = Object.prototype

/** A window of local dates. */
export const Window = WindowObject as unknown as new(from: LocalDate, to: LocalDate) => Window

/** `{ tag, id }`: a fact by reference. */
export interface FactRef {
  readonly tag: string
  readonly id: string
}

function FactRefObject(this: { tag: string; id: string }, tag: string, id: string) {
  this.tag = tag
  this.id = id
}
FactRefObject.prototype = Object.prototype

/** A fact by reference. */
export const FactRef = FactRefObject as unknown as new(tag: string, id: string) => FactRef

/** An array of two (an array literal's allocation site is tracked like an object literal's). */
export const pair = <A>(a: A, b: A): Array<A> => {
  const out = new Array<A>(2)
  out[0] = a
  out[1] = b
  return out
}

/** An array of one. */
export const single = <A>(a: A): Array<A> => {
  const out = new Array<A>(1)
  out[0] = a
  return out
}

/** An array of three. */
export const triple = <A>(a: A, b: A, c: A): Array<A> => {
  const out = new Array<A>(3)
  out[0] = a
  out[1] = b
  out[2] = c
  return out
}
