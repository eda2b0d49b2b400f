/**
 * Load tests on loopback with autocannon, and servers in their own process, so the server
 * and the load generator each get a core.
 */
import autocannon from "autocannon"
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"

/** A server running in a child process, listening on 127.0.0.1. */
export interface ServerProcess {
  readonly port: number
  readonly child: ChildProcess
  readonly stop: () => Promise<void>
}

const tsx = import.meta.resolve("tsx")

/**
 * Starts `module` (relative to this file) in a child process; the child sends `{ port }`
 * once it listens on 127.0.0.1.
 */
export const startServer = (module: string, args: ReadonlyArray<string>): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL(module, import.meta.url)), [...args], {
      execArgv: ["--import", tsx],
      env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL("../../tsconfig.json", import.meta.url)) },
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${module} did not start listening within 120 s`))
    }, 120_000)
    child.once("message", (m) => {
      clearTimeout(timer)
      const port = (m as { port?: number; error?: string }).port
      if (port === undefined) {
        reject(new Error(`${module}: ${(m as { error?: string }).error ?? "no port"}`))
        return
      }
      resolve({
        port,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done()
            child.once("exit", () => done())
            child.kill("SIGTERM")
            setTimeout(() => child.kill("SIGKILL"), 5_000).unref()
          })
      })
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${module} exited with ${code} before listening`))
    })
  })

/** What one load test measured. */
export interface LoadResult {
  /** Mean requests per second over the run (autocannon's per-second samples). */
  readonly reqPerSec: number
  readonly latencyP50: number
  readonly latencyP99: number
  readonly requests: number
  readonly non2xx: number
  readonly errors: number
}

/** A load test: `connections` concurrent clients on loopback for `seconds`. */
export const load = async (options: {
  readonly url: string
  readonly seconds: number
  readonly connections: number
  readonly method?: "GET" | "POST"
  readonly headers?: Record<string, string>
  /** A fresh body per request (for POSTs that must not replay). */
  readonly body?: () => string
  /** Path per request, cycled (for GETs over many liaisons). */
  readonly paths?: ReadonlyArray<string>
}): Promise<LoadResult> => {
  if (!options.url.startsWith("http://127.0.0.1:")) throw new Error("load tests run on 127.0.0.1 only")
  let i = 0
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    method: options.method ?? "GET",
    headers: { ...options.headers, ...(options.body ? { "content-type": "application/json" } : {}) },
    requests: [
      {
        setupRequest: (req: any) => {
          const next = { ...req }
          if (options.paths) next.path = options.paths[i++ % options.paths.length]
          if (options.body) next.body = options.body()
          return next
        }
      }
    ]
  })
  return {
    reqPerSec: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts
  }
}
