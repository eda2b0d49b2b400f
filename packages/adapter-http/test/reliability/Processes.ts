/**
 * Child processes of the suite: the server (`server.ts`) and writers, started through tsx
 * from the repository root so that `@minqing/*` resolve to the workspace sources, with
 * their output captured line by line.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))

/** The repository root. */
export const ROOT = path.resolve(here, "../../../..")

/** A file next to this one. */
export const local = (file: string): string => path.join(here, file)

/** A fresh temporary directory; `remove` deletes it. */
export const tempDir = (): { readonly dir: string; readonly file: (name: string) => string; remove(): void } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "minqing-reliability-"))
  return {
    dir,
    file: (name) => path.join(dir, name),
    remove: () => fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** A child process with its output captured. */
export interface Child {
  readonly child: ChildProcess
  /** Every line written on stdout so far. */
  readonly lines: Array<string>
  /** Everything written on stderr so far. */
  readonly stderr: () => string
  /** Resolves on the first line (already seen or to come) matching; rejects if the child exits first. */
  readonly until: (predicate: (line: string) => boolean, timeoutMillis?: number) => Promise<string>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  /** SIGKILL, and wait for the exit. */
  readonly kill: () => Promise<void>
  /** SIGTERM, then SIGKILL after 5 s; wait for the exit. */
  readonly stop: () => Promise<void>
}

const bundles = new Map<string, string>()

/**
 * A TypeScript entry point bundled once (per test process) with esbuild into one ES module,
 * so a child starts in a fraction of the time tsx needs to transpile the
 * workspace on every start. The packages stay external and resolve from here; the
 * workspace's own sources are bundled through the root tsconfig's paths. Falls back to tsx
 * (`undefined`) when esbuild cannot be found.
 */
export const bundle = (entry: string): string | undefined => {
  const cached = bundles.get(entry)
  if (cached !== undefined) return cached
  let esbuild: any
  try {
    esbuild = createRequire(path.join(ROOT, "node_modules", "tsx", "package.json"))("esbuild")
  } catch {
    return undefined
  }
  // Under node_modules: packages resolve from there, and linters and git leave it alone.
  const outfile = path.join(
    here,
    "..",
    "..",
    "node_modules",
    ".cache",
    "minqing-reliability",
    `${path.basename(entry, ".ts")}-${process.pid}.mjs`
  )
  esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    tsconfig: path.join(ROOT, "tsconfig.json"),
    packages: "external",
    logLevel: "error"
  })
  bundles.set(entry, outfile)
  process.once("exit", () => fs.rmSync(outfile, { force: true }))
  // Test workers are often ended without an exit hook: drop the bundles of dead processes.
  for (const name of fs.readdirSync(path.dirname(outfile))) {
    const pid = Number(/-(\d+)\.mjs$/.exec(name)?.[1])
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      process.kill(pid, 0)
    } catch {
      fs.rmSync(path.join(path.dirname(outfile), name), { force: true })
    }
  }
  return outfile
}

/** Runs `script` (a TypeScript file, bundled when possible, else through tsx) in a child process. */
export const start = (script: string, args: ReadonlyArray<string>): Child => {
  const bundled = bundle(script)
  const argv = bundled === undefined ? ["--import", "tsx", script, ...args] : [bundled, ...args]
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"]
  })
  const lines: Array<string> = []
  let stderr = ""
  const waiters = new Set<{ readonly predicate: (line: string) => boolean; readonly resolve: (l: string) => void }>()
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line)
    for (const w of waiters) {
      if (w.predicate(line)) {
        waiters.delete(w)
        w.resolve(line)
      }
    }
  })
  child.stderr!.on("data", (chunk) => stderr += String(chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  const done = () => child.exitCode !== null || child.signalCode !== null
  return {
    child,
    lines,
    stderr: () => stderr,
    until: (predicate, timeoutMillis = 60_000) => {
      const seen = lines.find(predicate)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (l: string) => {
            clearTimeout(timer)
            resolve(l)
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`${path.basename(script)}: no expected line within ${timeoutMillis} ms: ${stderr}`))
        }, timeoutMillis)
        waiters.add(waiter)
        exited.then(({ code, signal }) => {
          if (!waiters.has(waiter)) return
          waiters.delete(waiter)
          clearTimeout(timer)
          reject(new Error(`${path.basename(script)} exited (${code ?? signal}) early: ${stderr}`))
        })
      })
    },
    exited,
    kill: async () => {
      if (!done()) child.kill("SIGKILL")
      await exited
    },
    stop: async () => {
      if (!done()) {
        child.kill("SIGTERM")
        setTimeout(() => done() || child.kill("SIGKILL"), 5_000).unref()
      }
      await exited
    }
  }
}

/** A server process and its base URL. */
export interface ServerProcess extends Child {
  readonly port: number
  readonly url: string
}

/** Starts the real server on `filename` and waits until it listens. */
export const startServer = async (
  options: { readonly filename: string; readonly maxBodyBytes?: number; readonly busyTimeoutMillis?: number }
): Promise<ServerProcess> => {
  const child = start(local("server.ts"), [JSON.stringify(options)])
  const line = await child.until((l) => l.startsWith("listening "), 90_000)
  const port = Number(line.slice("listening ".length))
  return { ...child, port, url: `http://127.0.0.1:${port}` }
}
