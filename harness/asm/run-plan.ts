import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { execa } from "execa";
import { UserError } from "../errors.ts";
import { maskSecrets, type Step } from "./plan.ts";

export interface RunOptions {
  secrets: readonly string[];
  /** Progress lines (already masked). */
  log: (line: string) => void;
  cwd?: string;
}

export interface StepResult {
  step: Step;
  /** Captured output of an exec step (masked). */
  output: string;
}

/**
 * Runs a plan's steps in order; `finally` steps run even after a failure. Every line of output is masked
 * before it is shown or kept, and a failing command ends the run with one masked line.
 */
export async function runPlan(steps: readonly Step[], options: RunOptions): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const mask = (text: string) => maskSecrets(text, options.secrets);
  let failure: unknown;
  for (const step of steps.filter((s) => !s.finally)) {
    try {
      options.log(mask(step.title));
      results.push({ step, output: await runStep(step, options, mask) });
    } catch (error) {
      failure = error;
      break;
    }
  }
  for (const step of steps.filter((s) => s.finally)) {
    try {
      results.push({ step, output: await runStep(step, options, mask) });
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure) throw failure;
  return results;
}

async function runStep(step: Step, options: RunOptions, mask: (t: string) => string): Promise<string> {
  const a = step.action;
  switch (a.kind) {
    case "mkdir":
      for (const p of a.paths) await mkdir(p, { recursive: true, mode: 0o700 });
      return "";
    case "copy":
      await copyFile(a.from, a.to);
      return "";
    case "write":
      await writeFile(a.path, a.content);
      return "";
    case "remove":
      for (const p of a.paths) await rm(p, { recursive: true, force: true });
      return "";
    case "exec": {
      const [file, ...args] = a.argv;
      if (a.inherit) {
        const r = await execa(file!, args, { cwd: options.cwd, env: a.env, input: a.stdin?.text, stdout: "inherit", stderr: "inherit", reject: false });
        if (r.exitCode !== 0) throw new UserError(`${mask(step.title)}: exited with ${r.exitCode ?? r.signal}`, r.exitCode ?? 1);
        return "";
      }
      const r = await execa(file!, args, { cwd: options.cwd, env: a.env, input: a.stdin?.text ?? "", all: true, reject: false });
      const output = mask(String(r.all ?? ""));
      for (const line of output.split("\n")) if (line.trim()) options.log(`  ${line}`);
      if (r.failed) {
        const reason = (r as { code?: string }).code === "ENOENT" ? "not found on PATH" : `exit ${r.exitCode ?? r.signal}`;
        const last = output.trim().split("\n").slice(-2).join(" | ");
        throw new UserError(`${mask(step.title)}: ${file} failed (${reason})${last ? `: ${last}` : ""}`);
      }
      return output;
    }
  }
}
