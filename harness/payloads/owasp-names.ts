/** OWASP Top 10 2025 category names, for report headings (epic = category). */
export const OWASP_2025: Record<string, string> = {
  "A01:2025": "A01:2025 Broken Access Control",
  "A02:2025": "A02:2025 Security Misconfiguration",
  "A03:2025": "A03:2025 Software Supply Chain Failures",
  "A04:2025": "A04:2025 Cryptographic Failures",
  "A05:2025": "A05:2025 Injection",
  "A06:2025": "A06:2025 Insecure Design",
  "A07:2025": "A07:2025 Authentication Failures",
  "A08:2025": "A08:2025 Software or Data Integrity Failures",
  "A09:2025": "A09:2025 Logging & Alerting Failures",
  "A10:2025": "A10:2025 Mishandling of Exceptional Conditions",
};

export const owasp2025Name = (id: string): string => OWASP_2025[id] ?? id;
