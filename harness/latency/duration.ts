/** Parses k6 duration strings ("500ms", "20s", "1m30s", "1.5s") into milliseconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let matched = 0;
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * unitMs[m[2]!]!;
    matched++;
  }
  return matched > 0 ? total : undefined;
}
