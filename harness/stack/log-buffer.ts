import type { Readable } from "node:stream";

/** Keeps the last `limit` characters of a container's log stream (Envoy logs every matched rule). */
export class LogBuffer {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly limit = 8 * 1024 * 1024) {}

  follow(stream: Readable): void {
    stream.on("data", (chunk: Buffer | string) => this.append(chunk.toString()));
    stream.on("error", () => undefined);
  }

  append(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    return this.chunks.join("");
  }

  /** Lines appended after a mark, for attributing log lines to one request. */
  mark(): number {
    return this.size;
  }
}
