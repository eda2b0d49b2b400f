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
  /** Everything the child sent when it started listening (tokens, …). */
  readonly info: Readonly<Record<string, unknown>>
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
        info: m as Record<string, unknown>,
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

/** One request of a load test: its path, headers and body. */
export interface RequestSpec {
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string
}

/**
 * A load test: `connections` concurrent clients on loopback for `seconds`, each request
 * built by `request(i)` (a fresh body per POST, so nothing is a replay).
 */
export const load = async (options: {
  readonly base: string
  readonly seconds: number
  readonly connections: number
  readonly method: "GET" | "POST"
  readonly request: (i: number) => RequestSpec
}): Promise<LoadResult> => {
  if (!options.base.startsWith("http://127.0.0.1:")) throw new Error("load tests run on 127.0.0.1 only")
  let i = 0
  const result = await autocannon({
    url: options.base,
    connections: options.connections,
    duration: options.seconds,
    method: options.method,
    requests: [
      {
        setupRequest: (req: any) => {
          const spec = options.request(i++)
          return {
            ...req,
            path: spec.path,
            headers: {
              ...req.headers,
              ...spec.headers,
              ...(spec.body === undefined ? {} : { "content-type": "application/json" })
            },
            ...(spec.body === undefined ? {} : { body: spec.body })
          }
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
