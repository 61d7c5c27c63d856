/**
 * An error caused by the user's input or environment (bad manifest, missing Docker, unreadable wasm).
 * CLIs print only its one-line message and exit non-zero; no stack trace, nothing overwritten.
 */
export class UserError extends Error {
  override readonly name = "UserError";
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** Exit status when the local stack cannot run: no Docker engine, a container that does not come up. */
export const EXIT_STACK_FAILED = 4;

/**
 * Prints a UserError as one line (other errors with their stack) and exits: a CLI that failed must not wait
 * for work it abandoned (e.g. Testcontainers still polling an Envoy that already exited).
 */
export function reportFatal(error: unknown): never {
  if (error instanceof UserError) {
    console.error(`wafcheck: ${error.message}`);
    process.exit(error.exitCode);
  }
  console.error(error);
  process.exit(1);
}
