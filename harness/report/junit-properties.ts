/**
 * Playwright's JUnit reporter has no run-level properties; the stack facts (wasm source and SHA-256, Envoy,
 * pluginConfig hash) are added to every <testsuite> so that a CI system reading only junit.xml still sees
 * which WAF produced the verdicts. Properties must be a testsuite's first child.
 */
export function withSuiteProperties(xml: string, facts: Record<string, string>): string {
  const properties = Object.entries(facts)
    .map(([name, value]) => `<property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
    .join("\n");
  if (!properties) return xml;
  return xml.replace(/(<testsuite\b[^>]*[^/]>)\n?/g, `$1\n<properties>\n${properties}\n</properties>\n`);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[c]};`);
}
