import { shellQuote } from "../http/index.ts";

/**
 * What an `npm run asm` step does, as data: `--dry-run` prints it, a real run executes it, and both
 * come from the same list, so the printed commands are exactly the ones that run.
 */
export type Action =
  | {
      kind: "exec";
      argv: string[];
      /** Extra environment (never secret: shown as NAME=value before the command). */
      env?: Record<string, string>;
      /** Output goes straight to the terminal (long-running commands such as a suite run). */
      inherit?: boolean;
      /** Standard input: `text` is what is written (may be a secret), `shown` how --dry-run renders it. */
      stdin?: { text: string; shown: Stdin };
      /** Captured output is parsed by the caller (e.g. the digest `docker push` prints). */
      capture?: boolean;
    }
  | { kind: "copy"; from: string; to: string }
  | { kind: "write"; path: string; content: string }
  | { kind: "mkdir"; paths: string[] }
  | { kind: "remove"; paths: string[] };

/** How a command's standard input is shown: from an environment variable, typed on stdin, or a document. */
export type Stdin = { from: "env"; name: string } | { from: "stdin" } | { from: "heredoc"; text: string };

export interface Step {
  /** Shown as a comment above the command. */
  title: string;
  action: Action;
  /** Always runs after the other steps, even when one of them failed (clean-up). */
  finally?: boolean;
}

export const MASK = "********";

/** The shell text of one step: what a user could paste, with every secret masked. */
export function formatStep(step: Step, secrets: readonly string[] = []): string {
  const a = step.action;
  let text: string;
  switch (a.kind) {
    case "exec": {
      const prefix = Object.entries(a.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)} `).join("");
      const command = prefix + a.argv.map(shellQuote).join(" ");
      const shown = a.stdin?.shown;
      if (!shown) text = command;
      else if (shown.from === "env") text = `printf '%s' "$${shown.name}" | ${command}`;
      else if (shown.from === "stdin") text = `${command}  # reads the password from standard input`;
      else text = `${command} <<'EOF'\n${shown.text.replace(/\n?$/, "\n")}EOF`;
      break;
    }
    case "copy":
      text = `cp ${shellQuote(a.from)} ${shellQuote(a.to)}`;
      break;
    case "write":
      text = `printf '%s' ${shellQuote(a.content)} > ${shellQuote(a.path)}`;
      break;
    case "mkdir":
      text = `mkdir -p ${a.paths.map(shellQuote).join(" ")}`;
      break;
    case "remove":
      text = `rm -rf ${a.paths.map(shellQuote).join(" ")}`;
      break;
  }
  return maskSecrets(`# ${step.title}\n${text}`, secrets);
}

export function formatPlan(steps: readonly Step[], secrets: readonly string[] = []): string {
  return steps.map((s) => formatStep(s, secrets)).join("\n");
}

/**
 * Replaces every occurrence of each secret (and its base64 and URL-encoded forms, which is how a
 * docker config or a Secret carries it) with a mask. Empty secrets are ignored.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(Buffer.from(secret).toString("base64").replace(/=+$/, ""));
  }
  // Longest first, so that a secret containing another is masked whole.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) if (form.length > 0) out = out.split(form).join(MASK);
  return out;
}
