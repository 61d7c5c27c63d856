import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under the given directories (recursively): reports, Allure results and the generated report. */
export function filesUnder(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() || statSync(path).isFile()) out.push(path);
    }
  };
  for (const dir of dirs) walk(dir);
  return out;
}

/**
 * The forms a secret takes in a file: as is, URL-encoded, and base64 at each of the three byte alignments
 * (a single-file Allure report embeds attachments as base64, so the plain value would not show there).
 */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  const bytes = Buffer.from(secret);
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Drop the characters that also encode the padding bytes before and the partial group after.
    const start = offset === 0 ? 0 : 4;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    if (end - start >= 8) forms.add(encoded.slice(start, end));
  }
  return [...forms];
}

/** The files (of `files`) holding the secret in any of its forms, with the form found. */
export function filesContaining(files: readonly string[], secret: string): string[] {
  const forms = secretForms(secret);
  return files.flatMap((file) => {
    const text = readFileSync(file).toString("latin1");
    const form = forms.find((f) => text.includes(f));
    return form === undefined ? [] : [`${file} (${form === secret ? "as is" : `as ${form}`})`];
  });
}
