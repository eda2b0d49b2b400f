/**
 * What BENCHMARKS.md says about each target when it is missed (why, and what would close it),
 * and how each row is measured. Written from profiling actual runs; a missed target without
 * a note here is printed as "not analysed yet".
 */

/** Why a target was missed and what would close it, by target key. */
export const NOTES: Readonly<Record<string, { readonly why: string; readonly fix: string }>> = {}

/** How each row is measured (a bullet each). */
export const METHOD: ReadonlyArray<string> = []
