/** True if `placement/encoding` matches one of the `exclude` patterns (`*` stands for any placement or encoding). */
export function isExcluded(exclude: readonly string[] | undefined, placement: string, encoding: string): boolean {
  return (exclude ?? []).some((pattern) => {
    const [p, e] = pattern.split("/");
    return (p === "*" || p === placement) && (e === "*" || e === encoding);
  });
}
