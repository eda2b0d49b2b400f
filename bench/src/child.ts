/**
 * Child-process entry: runs one group of cases and sends its rows and peak RSS to the parent.
 */
import type { Row, RunOptions } from "./harness.js"
import { peakRssMiB } from "./harness.js"

const [modulePath, name, optionsJson] = process.argv.slice(2)

const send = (message: { rows: ReadonlyArray<Row>; peakMiB: number; error?: string }) =>
  new Promise<void>((resolve) => process.send!(message, () => resolve()))

const main = async () => {
  const mod = (await import(new URL(modulePath, import.meta.url).href)) as {
    readonly run: (name: string, options: RunOptions) => Promise<ReadonlyArray<Row>>
  }
  const options = JSON.parse(optionsJson) as RunOptions
  const rows = await mod.run(name, options)
  await send({ rows, peakMiB: peakRssMiB() })
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
    await send({ rows: [], peakMiB: peakRssMiB(), error: text })
    process.exit(1)
  }
)
