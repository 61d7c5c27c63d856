import { createWriteStream, type WriteStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";

/**
 * Keeps the last `limit` characters of a container's log stream (Envoy logs every matched rule) and, given a
 * file, also writes the stream there so that other processes (test workers) can follow it.
 */
export class LogBuffer {
  private chunks: string[] = [];
  private size = 0;
  private readonly file?: WriteStream;
  private readonly watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  private tailing?: { timer: NodeJS.Timeout; handle?: FileHandle };
  constructor(private readonly limit = 8 * 1024 * 1024, file?: string) {
    if (file) this.file = createWriteStream(file, { flags: "a" });
  }

  follow(stream: Readable): void {
    stream.on("data", (chunk: Buffer | string) => this.append(chunk.toString()));
    stream.on("error", () => undefined);
  }

  append(text: string): void {
    this.file?.write(text);
    for (const watcher of [...this.watchers]) {
      const match = watcher.pattern.exec(text);
      if (!match) continue;
      this.watchers.splice(this.watchers.indexOf(watcher), 1);
      watcher.resolve(match[0]);
    }
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  /**
   * Follows a file another process writes (Envoy's --log-path on a bind mount): what it appends is read every
   * `intervalMs` into this buffer, so start-up failures and envoyLogs() work as with a stream. The file is only read.
   */
  tail(file: string, intervalMs = 100): void {
    let offset = 0;
    let busy = false;
    const state: { timer: NodeJS.Timeout; handle?: FileHandle } = {
      timer: setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
          state.handle ??= await open(file, "r");
          const { size } = await state.handle.stat();
          if (size > offset) {
            const buffer = Buffer.alloc(size - offset);
            const { bytesRead } = await state.handle.read(buffer, 0, buffer.length, offset);
            offset += bytesRead;
            this.append(buffer.subarray(0, bytesRead).toString("utf8"));
          }
        } catch {
          // not there yet (Envoy creates it as it starts): try again next tick
        } finally {
          busy = false;
        }
      }, intervalMs),
    };
    state.timer.unref();
    this.tailing = state;
  }

  /** Resolves with the first match of `pattern` in text appended from now on (never rejects). */
  waitFor(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => this.watchers.push({ pattern, resolve }));
  }

  /** Stops writing (or tailing) the file once what was written is flushed (the in-memory copy stays readable). */
  close(): Promise<void> {
    if (this.tailing) {
      clearInterval(this.tailing.timer);
      void this.tailing.handle?.close().catch(() => undefined);
      this.tailing = undefined;
    }
    return new Promise((resolve) => (this.file ? this.file.end(() => resolve()) : resolve()));
  }

  text(): string {
    return this.chunks.join("");
  }
}
