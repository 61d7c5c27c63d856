import { createWriteStream, type WriteStream } from "node:fs";
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

  /** Resolves with the first match of `pattern` in text appended from now on (never rejects). */
  waitFor(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => this.watchers.push({ pattern, resolve }));
  }

  /** Stops writing the file once what was written is flushed (the in-memory copy stays readable). */
  close(): Promise<void> {
    return new Promise((resolve) => (this.file ? this.file.end(() => resolve()) : resolve()));
  }

  text(): string {
    return this.chunks.join("");
  }
}
