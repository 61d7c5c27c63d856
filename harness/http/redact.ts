export const REDACTED = "[REDACTED]";

/** Replaces the values of secret headers (case-insensitive names) before anything is logged or attached. */
export function redactHeaders(headers: Array<[string, string]>, secretNames: readonly string[]): Array<[string, string]> {
  const secret = new Set(secretNames.map((n) => n.toLowerCase()));
  return headers.map(([name, value]) => [name, secret.has(name.toLowerCase()) ? REDACTED : value]);
}

/** Removes every occurrence of the given secret values from free text (error messages, bodies). */
export function redactText(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const value of secretValues) if (value.length >= 4) out = out.split(value).join(REDACTED);
  return out;
}
