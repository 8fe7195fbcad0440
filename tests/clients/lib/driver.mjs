// The line protocol every client driver speaks with pytest (tests/clients/node.py):
// the configuration is argv[2] as JSON; each stdin line is a request
// {"op": NAME, ...arguments}; each answer is one stdout line, {"ok": true, "result": ...}
// or {"ok": false, "error": {name, code, message, status, underlying}}.
import { createInterface } from "node:readline";

// Libraries log with console.log; stdout carries only the protocol's lines.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

/** An error as a test wants to see it, whichever client threw it. */
export function describeError(error, depth = 0) {
  if (error === null || typeof error !== "object") {
    return { name: typeof error, message: String(error) };
  }
  const described = {
    name: error.name ?? null,
    code: error.code ?? error.Code ?? null,
    message: error.message ?? null,
    // SDK v3 keeps the status in $metadata, identity-js in statusCode.
    status: error.$metadata?.httpStatusCode ?? error.statusCode ?? null,
  };
  const inner = error.underlyingError ?? error.cause;
  if (inner && depth < 3) described.underlying = describeError(inner, depth + 1);
  return described;
}

/** Plain JSON: Dates as epoch seconds (as the wire has them), no SDK $metadata. */
export function plain(value) {
  return JSON.parse(
    JSON.stringify(value, function (key, item) {
      if (key === "$metadata") return undefined;
      const raw = this[key];
      if (raw instanceof Date) return raw.getTime() / 1000;
      if (raw instanceof Uint8Array) return Buffer.from(raw).toString("base64");
      return item;
    }),
  );
}

/** Answer requests with `handlers[op](request)` until stdin closes, one at a time. */
export async function serve(handlers) {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let answer;
    try {
      const request = JSON.parse(line);
      const handler = handlers[request.op];
      if (!handler) throw new Error(`unknown op ${request.op}`);
      answer = { ok: true, result: plain((await handler(request)) ?? null) };
    } catch (error) {
      answer = { ok: false, error: describeError(error) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
}

export function config() {
  return JSON.parse(process.argv[2] ?? "{}");
}
