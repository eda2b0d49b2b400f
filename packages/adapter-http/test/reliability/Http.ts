/**
 * Plain `fetch` against a server of the suite, with full control of the method, headers,
 * content type and body (including a chunked body without `Content-Length`), and checks of
 * the API's structured errors.
 */
import { Readable } from "node:stream"

/** A request as the suite sends it. */
export interface Request {
  readonly method: string
  /** Path and query, already encoded. */
  readonly path: string
  readonly token?: string | undefined
  /** The whole `Authorization` header, overriding `token`. */
  readonly authorization?: string | undefined
  readonly contentType?: string | undefined
  readonly body?: string | Uint8Array | undefined
  /** Send the body as a stream, without `Content-Length` (chunked transfer encoding). */
  readonly chunked?: boolean | undefined
  /** Give up after this long (default 60 s). */
  readonly timeoutMillis?: number | undefined
}

/** What came back. */
export interface Reply {
  readonly status: number
  readonly contentType: string | null
  readonly text: string
  /** The parsed body, or `undefined` when it is not JSON. */
  readonly json: any
}

/** Sends a request to `baseUrl`. */
export const send = async (baseUrl: string, request: Request): Promise<Reply> => {
  const headers: Record<string, string> = {}
  if (request.authorization !== undefined) headers.authorization = request.authorization
  else if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`
  if (request.contentType !== undefined) headers["content-type"] = request.contentType
  let body: any = request.body
  if (request.body !== undefined && request.chunked === true) {
    const bytes = typeof request.body === "string" ? Buffer.from(request.body, "utf8") : request.body
    const chunks = Array.from(
      { length: Math.ceil(bytes.length / 65536) },
      (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536)
    )
    body = Readable.toWeb(Readable.from(chunks))
  }
  const response = await fetch(baseUrl + request.path, {
    method: request.method,
    headers,
    signal: AbortSignal.timeout(request.timeoutMillis ?? 60_000),
    ...(body === undefined ? {} : { body, duplex: "half" })
  } as RequestInit)
  const text = await response.text()
  let json: unknown = undefined
  try {
    json = text === "" ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, contentType: response.headers.get("content-type"), text, json }
}

/** Sends JSON. */
export const sendJson = (
  baseUrl: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown
): Promise<Reply> =>
  send(baseUrl, {
    method,
    path,
    token,
    ...(body === undefined ? {} : { contentType: "application/json", body: JSON.stringify(body) })
  })

/** The status of each error tag of the API. */
export const statusOfTag: Readonly<Record<string, number>> = {
  Invalid: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  ServerError: 500
}

/**
 * Why a reply is not a well-formed client error of the API (4xx, a JSON body with a known
 * `_tag` matching the status, a message, and for `Invalid` the path of every problem), or
 * `undefined` when it is one.
 */
export const clientErrorProblem = (reply: Reply): string | undefined => {
  if (reply.status < 400 || reply.status > 499) return `status ${reply.status}, expected 4xx`
  if (reply.contentType === null || !reply.contentType.includes("application/json")) {
    return `content type ${reply.contentType}, expected application/json`
  }
  const body = reply.json
  if (typeof body !== "object" || body === null) return "the body is not a JSON object"
  if (typeof body._tag !== "string" || !(body._tag in statusOfTag)) return `unknown _tag ${JSON.stringify(body._tag)}`
  if (statusOfTag[body._tag] !== reply.status) return `_tag ${body._tag} with status ${reply.status}`
  if (typeof body.message !== "string" || body.message.length === 0) return "no message"
  if (body._tag === "Invalid") {
    if (!Array.isArray(body.problems) || body.problems.length === 0) return "Invalid without problems"
    for (const p of body.problems) {
      if (!Array.isArray(p?.path) || typeof p?.message !== "string") return `a problem without path or message`
    }
  }
  return undefined
}
