// Every rule the diff applies, with its fixed severity and what it means for the version number.
//
// Direction rules. The SDK user *sends* requests and *reads* responses, so one change in a schema
// can break in one direction and be harmless in the other:
// - Request side (parameters, request bodies): whatever the server stops accepting breaks callers.
//   Narrowing breaks (fewer types, an enum value removed, a tighter constraint, a property or
//   parameter newly required or removed); widening is an addition.
// - Response side (response bodies, and webhook payloads, which the user receives too): whatever
//   the user may now receive that their code does not expect breaks them. Widening breaks (more
//   types, a property removed or made optional); narrowing is harmless. An added enum value is a
//   warning: valid data, but an exhaustive `switch` over the old union misses it. Looser
//   constraints (longer strings, bigger numbers) are warnings: the TypeScript types do not change.
// - A schema reached from both sides is judged once per side.
// - A type change that is neither narrower nor wider (string → number) breaks both sides.
import type { Severity } from "./types.js";

/** What a rule asks of the version: major (breaking), minor (a feature), patch (documentation only). */
export type Impact = "breaking" | "feature" | "docs";

interface RuleSpec {
  severity: Severity;
  impact: Impact;
  /** One line for the README and `--help`. */
  summary: string;
}

const breaking = (summary: string): RuleSpec => ({ severity: "breaking", impact: "breaking", summary });
const warning = (summary: string): RuleSpec => ({ severity: "warning", impact: "feature", summary });
const addition = (summary: string): RuleSpec => ({ severity: "non-breaking", impact: "feature", summary });

export const RULES = {
  "operation-removed": breaking("an operation (or webhook) was removed"),
  "operation-renamed": breaking("an operation's operationId changed at the same path and method"),
  "operation-moved": breaking("an operation kept its operationId but changed path or method"),
  "sdk-method-renamed": breaking("an operation's generated SDK method (resource.method) changed"),
  "operation-added": addition("a new operation (or webhook)"),
  "operation-deprecated": warning("an operation was marked deprecated"),

  "parameter-added-required": breaking("a required parameter was added"),
  "parameter-made-required": breaking("an optional parameter became required"),
  "parameter-removed": breaking("a parameter was removed (typed callers passing it stop compiling)"),
  "parameter-added-optional": addition("an optional parameter was added"),
  "parameter-made-optional": addition("a required parameter became optional"),

  "request-body-added-required": breaking("a required request body was added"),
  "request-body-made-required": breaking("an optional request body became required"),
  "request-body-removed": breaking("the request body was removed"),
  "request-body-added-optional": addition("an optional request body was added"),
  "request-body-made-optional": addition("a required request body became optional"),
  "request-media-type-removed": breaking("a request media type is no longer accepted"),
  "request-media-type-added": addition("a request media type is newly accepted"),

  "request-property-added-required": breaking("a required request property was added"),
  "request-property-made-required": breaking("an optional request property became required"),
  "request-property-removed": breaking("a request property was removed (typed callers setting it stop compiling)"),
  "request-property-added-optional": addition("an optional request property was added"),
  "request-property-made-optional": addition("a required request property became optional"),
  "request-enum-value-removed": breaking("an enum value is no longer accepted in a request"),
  "request-enum-value-added": addition("an enum value is newly accepted in a request"),
  "request-type-narrowed": breaking("a request type or constraint got narrower (fewer values accepted)"),
  "request-type-widened": addition("a request type or constraint got wider (more values accepted)"),

  "response-property-removed": breaking("a response property was removed"),
  "response-property-made-optional": breaking("a required response property became optional"),
  "response-property-added": addition("a response property was added"),
  "response-property-made-required": addition("an optional response property became required"),
  "response-enum-value-added": warning("a response enum value was added (breaks exhaustive switches)"),
  "response-enum-value-removed": addition("a response enum value is no longer sent"),
  "response-type-widened": breaking(
    "a response type got wider (the user may receive values their code does not expect)",
  ),
  "response-type-narrowed": addition("a response type or constraint got narrower"),
  "response-constraint-loosened": warning("a response constraint got looser (same TypeScript type, wider values)"),
  "type-changed": breaking("a type changed to an unrelated one"),

  "response-status-removed": addition("a response status is no longer declared"),
  "response-status-added": addition("an error (non-2XX) response status was declared"),
  "response-success-status-added": warning("a new success (2XX) status may carry a different body"),
  "response-media-type-removed": breaking("a response media type is no longer sent"),
  "response-media-type-added": warning("a response media type was added (callers may receive it)"),
  "item-schema-removed": breaking("a media type's `itemSchema` (OpenAPI 3.2) was removed: its typed events go"),
  "item-schema-added": addition("a media type gained an `itemSchema` (OpenAPI 3.2): each streamed item is typed"),

  "schema-removed": breaking("a component schema was removed or renamed: its exported model type is gone"),
  "schema-added": addition("a component schema was added (a new exported model type)"),

  "security-changed": breaking("an operation's security requirements changed"),
  "security-scheme-changed": breaking("a security scheme was removed or changed"),

  "openapi-version-changed": {
    severity: "non-breaking",
    impact: "docs",
    summary: "the document's `openapi` version changed (how it is written, not the API)",
  },
  "docs-changed": {
    severity: "non-breaking",
    impact: "docs",
    summary: "a description, summary, title or example changed",
  },
  "unclassified-change": warning("a difference no rule covers: review it by hand"),
} as const satisfies Record<string, RuleSpec>;

export type RuleId = keyof typeof RULES;
