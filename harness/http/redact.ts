export const REDACTED = "[REDACTED]";

/** Removes every occurrence of the given secret values from free text (error messages, bodies). */
export function redactText(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const value of secretValues) if (value.length >= 4) out = out.split(value).join(REDACTED);
  return out;
}
