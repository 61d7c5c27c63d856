import { EXIT_STACK_FAILED, UserError } from "../errors.ts";

/**
 * Turns Envoy's start-up failure into one line: the plug-in's own complaint about the directives when there
 * is one (invalid SecLang), otherwise Envoy's fatal error; a start-up that just timed out is an infrastructure
 * failure (exit 4), still one line.
 */
export function explainEnvoyFailure(error: Error, envoyLog: string, manifestSource: string): Error {
  const log = `${envoyLog}\n${error.message}`;
  const coraza = /wasm log [^:]*: (Failed to parse directives: .*)/.exec(log)?.[1];
  if (coraza) return new UserError(`${manifestSource}: the Coraza plug-in rejected the directives: ${coraza.trim()}`);
  const wasm = /\[critical\]\[wasm\][^\]]*\] (.*)/.exec(log)?.[1];
  if (wasm) return new UserError(`Envoy could not load the Coraza plug-in: ${wasm.trim()}`);
  const fatal = /\[critical\]\[main\][^\]]*\] (.*)/.exec(log)?.[1];
  if (fatal) return new UserError(`Envoy failed to start: ${fatal.trim()}`);
  return new UserError(`Envoy did not become ready: ${error.message.split("\n")[0]!.trim()}`, EXIT_STACK_FAILED);
}
