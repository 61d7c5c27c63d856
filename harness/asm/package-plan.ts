import { join } from "node:path";
import { formatImageRef, type ImageRef } from "./image-ref.ts";
import type { Stdin, Step } from "./plan.ts";

/** The file name ASM (Istio) looks for in the image's layer. */
export const PLUGIN_FILE = "plugin.wasm";

/** The tutorial's image: nothing but plugin.wasm, in one layer. */
export const PLUGIN_DOCKERFILE = `FROM scratch\nADD ./${PLUGIN_FILE} ./${PLUGIN_FILE}\n`;

/** Label that records which wasm the image holds (in the image config, not a layer). */
export const WASM_SHA256_LABEL = "org.wafcheck.wasm.sha256";

export interface PackageInput {
  image: ImageRef;
  wasm: { path: string; sha256: string };
  username: string;
  /** The password (never printed) and where it came from (shown instead of it). */
  password: { value: string; shown: Stdin };
  /** Scratch build context and a throw-away docker config dir (so the login is not stored in ~/.docker). */
  contextDir: string;
  dockerConfigDir: string;
}

/**
 * `package`: build a FROM-scratch image holding plugin.wasm, log in with the password on standard input
 * (never on a command line), push, and forget the login.
 */
export function planPackage(input: PackageInput): Step[] {
  const image = formatImageRef(input.image);
  const docker = ["docker", "--config", input.dockerConfigDir];
  return [
    { title: "scratch build context and docker config (the login never touches ~/.docker)", action: { kind: "mkdir", paths: [input.contextDir, input.dockerConfigDir] } },
    { title: `the wasm in use, under the name ASM requires (sha256 ${input.wasm.sha256})`, action: { kind: "copy", from: input.wasm.path, to: join(input.contextDir, "plugin.wasm") } },
    { title: "FROM scratch: the image holds plugin.wasm and nothing else", action: { kind: "write", path: join(input.contextDir, "Dockerfile"), content: PLUGIN_DOCKERFILE } },
    {
      title: `build ${image}`,
      action: { kind: "exec", argv: [...docker, "build", "--label", `${WASM_SHA256_LABEL}=${input.wasm.sha256}`, "-t", image, input.contextDir] },
    },
    {
      title: `log in to ${input.image.registry} (password on standard input)`,
      action: {
        kind: "exec",
        argv: [...docker, "login", "--username", input.username, "--password-stdin", input.image.registry],
        stdin: { text: input.password.value, shown: input.password.shown },
      },
    },
    { title: `push ${image}`, action: { kind: "exec", argv: [...docker, "push", image], capture: true } },
    { title: "forget the login and the build context", action: { kind: "remove", paths: [input.dockerConfigDir, input.contextDir] }, finally: true },
  ];
}

/** The manifest digest `docker push` reports (`…: digest: sha256:<hex> size: N`). */
export function pushedDigest(output: string): string | undefined {
  return /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
}
