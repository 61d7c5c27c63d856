/**
 * Runs `cleanup` once on SIGINT/SIGTERM/SIGHUP (then exits 130/143) so that no container outlives the
 * process, even without Testcontainers' Ryuk. Returns a function that removes the handlers.
 */
let signalled = false;

/** True once a signal started the shutdown: work that fails because of it is not worth reporting. */
export function shuttingDown(): boolean {
  return signalled;
}

export function onShutdown(cleanup: () => Promise<unknown>, log: (line: string) => void = console.error): () => void {
  let running = false;
  const handler = (signal: NodeJS.Signals) => {
    if (running) return;
    running = true;
    signalled = true;
    log(`${signal}: removing the stack's containers…`);
    cleanup()
      .catch((error: Error) => log(`cleanup failed: ${error.message}`))
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
