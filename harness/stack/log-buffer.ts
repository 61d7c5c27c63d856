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
  constructor(private readonly limit = 8 * 1024 * 1024, file?: string) {
    if (file) this.file = createWriteStream(file, { flags: "a" });
  }

  follow(stream: Readable): void {
    stream.on("data", (chunk: Buffer | string) => this.append(chunk.toString()));
    stream.on("error", () => undefined);
  }

  append(text: string): void {
    this.file?.write(text);
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    return this.chunks.join("");
  }
}
