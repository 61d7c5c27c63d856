import { closestMatch } from "../config/index.ts";
import type { z } from "zod";
import { FIXED_PLACEMENTS } from "./schema.ts";

type Issue = z.core.$ZodIssue;

/**
 * One line for a zod issue: `field.path: message`, quoting the offending value and suggesting a near valid one.
 * `knownFields`: the field names of the file being read, for "unknown field … did you mean" (default: a corpus file's).
 */
export function describeIssue(issue: Issue, root: unknown, knownFields: readonly string[] = KNOWN_FIELDS): string {
  const issuePath = issue.path.map(String);
  const value = valueAt(root, issue.path);
  const where = issuePath.length > 0 ? `${issuePath.join(".")}: ` : "";
  return `${where}${message(issue, value, knownFields)}`;
}

function message(issue: Issue, value: unknown, knownFields: readonly string[]): string {
  switch (issue.code) {
    case "invalid_value":
      if (value === undefined) return "required";
      return `invalid value ${show(value)}${suggest(String(value), issue.values.map(String))}`;
    case "invalid_union": {
      if (typeof value === "string") return placementMessage(value);
      const branch = bestBranch(issue.errors);
      if (branch) return describeIssue(branch, value, knownFields);
      return issue.message;
    }
    case "invalid_type":
      return value === undefined ? "required" : `expected ${issue.expected}, got ${describeType(value)}`;
    case "unrecognized_keys": {
      const key = issue.keys[0] ?? "";
      return `unknown field "${key}"${suggest(key, knownFields)}`;
    }
    case "too_small":
    case "too_big":
      return value === undefined || typeof value === "object" ? issue.message : `invalid value ${show(value)}: ${issue.message}`;
    case "invalid_format":
      if (isPlacementPath(issue.path) && typeof value === "string") return placementMessage(value);
      return `invalid value ${show(value)}: ${issue.message}`;
    default:
      return issue.message;
  }
}

function placementMessage(value: string): string {
  if (value.startsWith("header:")) return `invalid value ${show(value)} (header:<name> needs a header name of token characters)`;
  return `invalid value ${show(value)}${suggest(value, [...FIXED_PLACEMENTS, "header:<name>"])}`;
}

function isPlacementPath(path: readonly PropertyKey[]): boolean {
  return path.length >= 2 && path[path.length - 2] === "placements";
}

/** Of a union's branches, the one whose first complaint is not just "unknown field" (i.e. the branch the author meant). */
function bestBranch(branches: Issue[][]): Issue | undefined {
  const usable = branches.filter((b) => b.length > 0);
  return (usable.find((b) => b[0]!.code !== "unrecognized_keys") ?? usable[0])?.[0];
}

/** Field names a corpus file uses anywhere (for "did you mean"). */
const KNOWN_FIELDS = [
  "id", "title", "class", "owasp2025", "owasp2021", "cwe", "severity", "expect", "payload", "request", "placements",
  "encodings", "exclude", "paranoia", "crsRules", "param", "whole", "notes", "appStatus", "requires", "defaults", "cases",
  "method", "path", "headers", "body", "browserHeaders", "raw",
];

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a mapping" : `${typeof value} ${show(value)}`;
}

function suggest(word: string, candidates: readonly string[]): string {
  const best = closestMatch(word, candidates);
  return best !== undefined ? ` (did you mean "${best}"?)` : "";
}
