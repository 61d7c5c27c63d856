import selfsigned from "selfsigned";

export interface GatewayCertificate {
  /** PEM of the run's own CA: the only certificate the harness trusts for the local TLS listener. */
  caPem: string;
  /** Envoy's server certificate (signed by that CA) and its key. */
  certPem: string;
  keyPem: string;
}

/** Names the local TLS listener answers for: every Host the harness sends (app., base., candidate., plN.wafcheck.test). */
export const LOCAL_TLS_NAMES = ["*.wafcheck.test", "localhost"];

/**
 * A CA and a server certificate made for one run (valid two days), so that the harness verifies the local gateway's
 * TLS as it would a real one, instead of switching verification off.
 */
export async function makeGatewayCertificate(): Promise<GatewayCertificate> {
  const notAfterDate = new Date(Date.now() + 2 * 86_400_000);
  const common = { keyType: "ec" as const, algorithm: "sha256" as const, notAfterDate };
  const ca = await selfsigned.generate([{ name: "commonName", value: "wafcheck run CA" }], {
    ...common,
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }],
  });
  const server = await selfsigned.generate([{ name: "commonName", value: "wafcheck local gateway" }], {
    ...common,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [...LOCAL_TLS_NAMES.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: "127.0.0.1" }] },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
