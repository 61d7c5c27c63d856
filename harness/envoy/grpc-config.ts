import type { CorazaPluginConfig } from "../manifest/index.ts";

/**
 * The gRPC probe's second directive set (WAF_GRPC=on stacks only): the manifest's default set with `application/grpc`
 * added to CRS's content-type policy (tx.allowed_request_content_type, checked by rule 920420), chosen by this
 * :authority through the plug-in's per_authority_directives. With it, the probe can see what the plug-in inspects
 * in a gRPC call once the content type itself is let through, as a team running gRPC behind this WAF would have to.
 */
export const GRPC_ALLOWED_SET = "wafcheck-grpc-allowed";
export const GRPC_ALLOWED_AUTHORITY = "grpc-allowed.wafcheck.test";
/**
 * A third set: GRPC_ALLOWED_SET plus request body inspection switched off for application/grpc (ctl:requestBodyAccess=Off),
 * what a team would have to configure for gRPC to pass at all: it shows what is left (metadata, :path) without the body.
 */
export const GRPC_HEADERS_ONLY_SET = "wafcheck-grpc-headers-only";
export const GRPC_HEADERS_ONLY_AUTHORITY = "grpc-headers-only.wafcheck.test";
/** The :authority of calls judged by the manifest's own default set. */
export const GRPC_AUTHORITY = "grpc.wafcheck.test";

/** CRS 4.14's default policy (REQUEST-901, rule 901162's value), used when the set has not set its own. */
const CRS_DEFAULT_CONTENT_TYPES =
  "|application/x-www-form-urlencoded| |multipart/form-data| |text/xml| |application/xml| |application/soap+xml| |application/json|";

/** Ids from the "local use" range next to wafcheck's correlation rules (99901, 99902). */
export const GRPC_ALLOW_DIRECTIVES: readonly string[] = [
  `SecRule &TX:allowed_request_content_type "@eq 0" "id:99910,phase:1,pass,nolog,t:none,setvar:'tx.allowed_request_content_type=${CRS_DEFAULT_CONTENT_TYPES}'"`,
  `SecAction "id:99911,phase:1,pass,nolog,t:none,setvar:'tx.allowed_request_content_type=%{tx.allowed_request_content_type} |application/grpc|'"`,
];
export const GRPC_NO_BODY_DIRECTIVE = `SecRule REQUEST_HEADERS:Content-Type "@beginsWith application/grpc" "id:99912,phase:1,pass,nolog,t:none,ctl:requestBodyAccess=Off"`;

/**
 * The pluginConfig with GRPC_ALLOWED_SET and GRPC_HEADERS_ONLY_SET added: the default set's directives, GRPC_ALLOW_DIRECTIVES put just before
 * its first CRS rule file (after the set's own settings, so a policy it sets is extended, not replaced). A set with
 * no CRS include gets them at its end (they change nothing there). Every other key is kept.
 */
export function withGrpcAllowedSet(config: CorazaPluginConfig): CorazaPluginConfig {
  const base = config.directives_map[config.default_directives] ?? [];
  const at = base.findIndex((d) => /^\s*Include\s+@owasp_crs\//i.test(d));
  const insert = (extra: readonly string[]) => (at < 0 ? [...base, ...extra] : [...base.slice(0, at), ...extra, ...base.slice(at)]);
  return {
    ...config,
    directives_map: {
      ...config.directives_map,
      [GRPC_ALLOWED_SET]: insert(GRPC_ALLOW_DIRECTIVES),
      [GRPC_HEADERS_ONLY_SET]: insert([...GRPC_ALLOW_DIRECTIVES, GRPC_NO_BODY_DIRECTIVE]),
    },
    per_authority_directives: { ...config.per_authority_directives, [GRPC_ALLOWED_AUTHORITY]: GRPC_ALLOWED_SET, [GRPC_HEADERS_ONLY_AUTHORITY]: GRPC_HEADERS_ONLY_SET },
  };
}
