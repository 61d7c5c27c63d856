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

/** Prints a UserError as one line (other errors with their stack) and sets the exit code. */
export function reportFatal(error: unknown): void {
  if (error instanceof UserError) {
    console.error(`wafcheck: ${error.message}`);
    process.exitCode = error.exitCode;
    return;
  }
  console.error(error);
  process.exitCode = 1;
}
