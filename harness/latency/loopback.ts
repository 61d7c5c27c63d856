/**
 * Tiny node:http servers on 127.0.0.1 for the engine floor and the engine's own tests.
 * Each runs in a worker thread: its event loop must not share time with the load engine,
 * or the engine would measure its own stalls twice.
 */
import { Worker } from "node:worker_threads";

export interface LoopbackOptions {
  /** Added service time, exact to a few µs (a timer gets close, polling does the rest). */
  delayMs?: number;
  /** Answer 403 to `x-user-type: baned`, like the project's WAF rule (for blocked-shape tests). */
  denyBanned?: boolean;
}

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

// Plain CommonJS for `new Worker(code, { eval: true })`: no loader, no file on disk.
const WORKER_SOURCE = `
const http = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const { delayMs, denyBanned } = workerData;
const now = () => performance.now();
function answer(req, res) {
  const m = /^\\/status\\/(\\d{3})/.exec(req.url);
  let status = m ? Number(m[1]) : 200;
  if (denyBanned && req.headers["x-user-type"] === "baned") status = 403;
  res.writeHead(status, { "content-type": "text/plain", "content-length": "2" });
  res.end("ok");
}
const server = http.createServer((req, res) => {
  const start = now();
  req.resume();
  req.on("end", () => {
    // Timers overshoot by up to ~1 ms: sleep most of the delay, poll the rest (other requests still run).
    const wait = () => {
      const left = delayMs - (now() - start);
      if (left <= 0) answer(req, res);
      else if (left >= 2) setTimeout(wait, Math.floor(left) - 1);
      else setImmediate(wait);
    };
    wait();
  });
});
server.keepAliveTimeout = 120000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

export async function startLoopbackServer(options: LoopbackOptions = {}): Promise<LoopbackServer> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { delayMs: options.delayMs ?? 0, denyBanned: options.denyBanned ?? false },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`loopback server exited early (code ${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await worker.terminate();
    },
  };
}
