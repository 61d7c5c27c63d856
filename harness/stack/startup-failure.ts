import { ENVOY_VERSION } from "../config/index.ts";
import { EXIT_STACK_FAILED, UserError } from "../errors.ts";

/**
 * This Envoy would not run the plug-in (no wasm runtime in the build, a WASI import it lacks): a finding about the
 * Envoy version, which a caller comparing versions reports instead of crashing on.
 */
export class PluginLoadError extends UserError {
  constructor(readonly envoyVersion: string, readonly envoyError: string) {
    super(`Envoy ${envoyVersion} could not load the Coraza plug-in: ${envoyError}`);
  }
}

/**
 * Envoy's own first complaint of a failed plug-in load. It comes before the "[critical][wasm] Plugin <name> failed
 * to load" that says only that (e.g. "Failed to create Wasm VM using envoy.wasm.runtime.v8 runtime. Envoy was
 * compiled without support for it", a warning); the plug-in's own log lines ("wasm log …") are not Envoy's.
 */
export function pluginLoadError(envoyLog: string): string | undefined {
  const lines = [...envoyLog.matchAll(/\[(warning|error|critical)\]\[wasm\] \[[^\]]*\] (.*)/g)]
    .map(([, level, message]) => ({ level, message: message!.trim() }))
    .filter((l) => !l.message.startsWith("wasm log "));
  return lines.some((l) => l.level === "critical") ? lines[0]!.message : undefined;
}

/**
 * Turns Envoy's start-up failure into one line: the plug-in's own complaint about the directives when there
 * is one (invalid SecLang), otherwise Envoy's fatal error; a start-up that just timed out is an infrastructure
 * failure (exit 4), still one line.
 */
export function explainEnvoyFailure(error: Error, envoyLog: string, manifestSource: string, envoyVersion = ENVOY_VERSION): Error {
  const log = `${envoyLog}\n${error.message}`;
  const coraza = /wasm log [^:]*: (Failed to parse directives: .*)/.exec(log)?.[1];
  if (coraza) return new UserError(`${manifestSource}: the Coraza plug-in rejected the directives: ${coraza.trim()}`);
  const wasm = pluginLoadError(log);
  if (wasm) return new PluginLoadError(envoyVersion, wasm);
  const fatal = /\[critical\]\[main\][^\]]*\] (.*)/.exec(log)?.[1];
  if (fatal) return new UserError(`Envoy failed to start: ${fatal.trim()}`);
  return new UserError(`Envoy did not become ready: ${error.message.split("\n")[0]!.trim()}`, EXIT_STACK_FAILED);
}
