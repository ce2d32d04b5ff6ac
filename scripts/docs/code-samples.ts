// Redoc's `x-codeSamples` for every operation of any spec, read from the generator's model (resource path, method
// name, parameters, body media type, idempotency header, event stream), so that the samples follow the generated
// names, with example values from the spec (./sample-values.ts). One writer per language; a CLI sample joins
// SAMPLE_WRITERS once the CLI exists.
import { member, propertyKey } from "../pipeline/emit/common.js";
import type { OpenAPIDocument } from "../pipeline/bundle.js";
import type { ApiModel, OperationModel, ParameterModel, SecuritySchemeModel } from "../pipeline/model/index.js";
import { pathItemOperation } from "../pipeline/model/methods.js";
import { asObject, isObject, type Json } from "../pipeline/model/refs.js";
import { defaultServerUrl } from "../pipeline/model/servers.js";
import { declaredExample, mediaTypeValue, parameterValue } from "./sample-values.js";

/** One entry of Redoc's `x-codeSamples`. */
export interface CodeSample {
  /** The language, for highlighting: `TypeScript`, `Shell`. */
  lang: string;
  /** The tab's name; Redoc lists the samples of every operation by it. */
  label: string;
  source: string;
}

/** How a TypeScript sample gets its client. */
export interface TypeScriptClient {
  /** The import line, e.g. `import { Flora } from "flora-sdk";`. */
  imports: string;
  /** The statement that makes the client, e.g. `const flora = new Flora();`. */
  setup: string;
  /** The variable that statement declares, e.g. `flora`. */
  variable: string;
}

export interface CodeSampleOptions {
  /** Default: `createClient()` from the generated folder, `./generated/index.js`. */
  client?: TypeScriptClient;
}

export const SAMPLE_LABELS = {
  typeScript: "TypeScript SDK",
  typeScriptStream: "TypeScript SDK (stream)",
  curl: "curl",
} as const;

/** What the sample writers share about one operation. */
interface SampleContext {
  document: Json;
  model: ApiModel;
  op: OperationModel;
  /** The raw operation and the parameters it and its path item declare (the operation's win), by `in:name`. */
  raw: Json;
  parameters: Map<string, Json>;
  client: TypeScriptClient;
}

type SampleWriter = (context: SampleContext) => Promise<CodeSample[]> | CodeSample[];

const SAMPLE_WRITERS: SampleWriter[] = [typeScriptSamples, curlSamples];

/** The code samples of one operation of the model, in the order Redoc shows them. */
export async function operationSamples(
  document: OpenAPIDocument,
  model: ApiModel,
  op: OperationModel,
  options: CodeSampleOptions = {},
): Promise<CodeSample[]> {
  const doc = document as Json;
  const raw = rawOperation(doc, op);
  const context: SampleContext = {
    document: doc,
    model,
    op,
    raw,
    parameters: declaredParameters(doc, op, raw),
    client: options.client ?? GENERATED_CLIENT,
  };
  const samples = await Promise.all(SAMPLE_WRITERS.map((write) => write(context)));
  return samples.flat();
}

/**
 * A copy of `document` with `x-codeSamples` on every operation of the model, and the samples' languages in
 * order (Redoc shows only the languages its `codeSamples.languages` option lists). Samples the spec already
 * has are kept; a generated sample whose label the spec already uses is left out.
 */
export async function addCodeSamples(
  document: OpenAPIDocument,
  model: ApiModel,
  options: CodeSampleOptions = {},
): Promise<{ document: OpenAPIDocument; languages: { lang: string; label: string }[] }> {
  const copy = structuredClone(document);
  const languages = new Map<string, { lang: string; label: string }>();
  for (const op of model.operations) {
    const target = rawOperation(copy as Json, op);
    const own = Array.isArray(target["x-codeSamples"]) ? (target["x-codeSamples"] as unknown[]) : [];
    const taken = new Set(own.map((sample) => (isObject(sample) ? String(sample.label ?? sample.lang) : "")));
    const added = (await operationSamples(document, model, op, options)).filter((s) => !taken.has(s.label));
    target["x-codeSamples"] = [...own, ...added];
    for (const sample of [...own, ...added]) {
      if (!isObject(sample) || typeof sample.lang !== "string") continue;
      const label = typeof sample.label === "string" ? sample.label : sample.lang;
      if (!languages.has(label)) languages.set(label, { lang: sample.lang, label });
    }
  }
  // Ours in a fixed order (TypeScript, its stream variant, curl), whichever operation first used each; the spec's own after.
  const order = Object.values(SAMPLE_LABELS) as string[];
  const rank = (label: string) => (order.includes(label) ? order.indexOf(label) : order.length);
  const sorted = [...languages.values()].sort((a, b) => rank(a.label) - rank(b.label));
  return { document: copy, languages: sorted };
}

const GENERATED_CLIENT: TypeScriptClient = {
  imports: 'import { createClient } from "./generated/index.js";',
  setup: "const client = createClient();",
  variable: "client",
};

function rawOperation(document: Json, op: OperationModel): Json {
  const item = asObject(document, (document.paths as Json)[op.path]);
  const raw = item && asObject(document, pathItemOperation(item, op.method));
  if (!raw) throw new Error(`code samples: no operation at ${op.method.toUpperCase()} ${op.path}`);
  return raw;
}

function declaredParameters(document: Json, op: OperationModel, raw: Json): Map<string, Json> {
  const item = asObject(document, (document.paths as Json)[op.path]) ?? {};
  const byKey = new Map<string, Json>();
  for (const list of [item.parameters, raw.parameters]) {
    for (const entry of Array.isArray(list) ? list : []) {
      const parameter = asObject(document, entry);
      if (parameter) byKey.set(`${String(parameter.in)}:${String(parameter.name)}`, parameter);
    }
  }
  return byKey;
}

/** A parameter's sample value, of the type its argument takes (a string where the wrapper types it so). */
function argumentValue(context: SampleContext, parameter: ParameterModel): unknown {
  const declared = context.parameters.get(`${parameter.in}:${parameter.name}`);
  const value = declared ? parameterValue(context.document, declared) : parameter.name;
  if (!parameter.specTyped || parameter.contentType) return typeof value === "string" ? value : JSON.stringify(value);
  const schema = asObject(context.document, declared?.schema);
  const type = Array.isArray(schema?.type) ? schema.type.find((t) => t !== "null") : schema?.type;
  if ((type === "integer" || type === "number") && typeof value === "string" && value.trim() !== "" && !isNaN(+value))
    return Number(value);
  if (type === "string" && (typeof value === "number" || typeof value === "boolean")) return String(value);
  return value;
}

/**
 * The parameters a sample shows. Required ones always. A list operation shows only those, plus its page size
 * (`limit`) where the spec gives it a value: the spec's examples of its cursor and filters (an offset-20 cursor, a
 * search word, a workspace id) would make the first page of a pasted sample empty, and the cursor is what the
 * walk supplies, never a literal. Any other operation also shows the optional parameters the spec gives an example.
 */
function shownParameters(context: SampleContext, list: ParameterModel[]): ParameterModel[] {
  const { op } = context;
  const listing = op.pagination !== undefined || /^list/i.test(op.methodName);
  return list.filter((parameter) => {
    if (parameter.required) return true;
    const declared = context.parameters.get(`${parameter.in}:${parameter.name}`);
    if (!declared) return false;
    if (listing) {
      return (
        parameter.in === "query" && parameter.name === op.pagination?.limitParam && hasSpecValue(context, declared)
      );
    }
    return declaredExample(context.document, declared) !== undefined;
  });
}

/** True when the spec gives the parameter a value: its own example, or its schema's example or default. */
function hasSpecValue(context: SampleContext, declared: Json): boolean {
  if (declaredExample(context.document, declared) !== undefined) return true;
  const schema = asObject(context.document, declared.schema);
  return (
    schema !== undefined &&
    ((Array.isArray(schema.examples) && schema.examples.length > 0) ||
      schema.example !== undefined ||
      schema.default !== undefined)
  );
}

function requestMedia(context: SampleContext): Json | undefined {
  const { op, document, raw } = context;
  if (!op.requestBody) return undefined;
  const body = asObject(document, raw.requestBody);
  const content = body && asObject(document, body.content);
  return (content && asObject(document, content[op.requestBody.contentType])) ?? {};
}

/**
 * The request body's example value, without the body twin of the idempotency header (`idempotency_key`): the SDK
 * writes the key it sends there itself, and the curl sample's fresh key goes in the header, so a fixed key from the
 * spec never repeats across pastes.
 */
function bodyValue(context: SampleContext, media: Json | undefined): unknown {
  if (!media) return undefined;
  const value = mediaTypeValue(context.document, media);
  const field = context.op.idempotency?.bodyField;
  if (!field || !isObject(value) || !(field in value)) return value;
  const { [field]: _key, ...rest } = value;
  return rest;
}

// ---- TypeScript ----------------------------------------------------------------------------------------------

/** Source text that a literal writes as is (a `new Blob(…)` where the type wants a file). */
class Expression {
  constructor(readonly text: string) {}
}

function tsLiteral(value: unknown): string {
  if (value instanceof Expression) return value.text;
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(", ")}]`;
  if (isObject(value)) {
    const entries = Object.entries(value).map(
      ([key, item]) => `${key === "__proto__" ? '["__proto__"]' : propertyKey(key)}: ${tsLiteral(item)}`,
    );
    return entries.length ? `{ ${entries.join(", ")} }` : "{}";
  }
  if (value === undefined) return "undefined";
  return JSON.stringify(value);
}

const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await eval arguments".split(
    " ",
  ),
);

/** What to call the result: the resource's name (singular unless the method lists), else `result`. */
function resultName(context: SampleContext): string {
  const last = context.op.resourcePath.at(-1);
  const name = last && !/^list/i.test(context.op.methodName) ? singular(last) : last;
  return usableName(context, name) ? name : "result";
}

/** What to call one item of a list that pages: the resource's name in the singular, else `item`. */
function itemName(context: SampleContext): string {
  const last = context.op.resourcePath.at(-1);
  const name = last && singular(last);
  return usableName(context, name) && name !== last ? name : "item";
}

/** `techniques` → `technique`, `batches` → `batch`, `entries` → `entry`; `status` and `analysis` stay. */
function singular(name: string): string {
  if (/ies$/.test(name)) return name.replace(/ies$/, "y");
  if (/(ch|sh|x|ss)es$/.test(name)) return name.replace(/es$/, "");
  if (/(ss|us|is)$/.test(name)) return name;
  return name.replace(/s$/, "");
}

function usableName(context: SampleContext, name: string | undefined): name is string {
  return (
    name !== undefined &&
    /^[A-Za-z_$][\w$]*$/.test(name) &&
    !RESERVED.has(name) &&
    name !== context.client.variable &&
    name !== "event"
  );
}

/** The body as the wrapper takes it: a Blob for a raw body and for each file field of a multipart one. */
function typeScriptBody(context: SampleContext, value: unknown): unknown {
  const { requestBody } = context.op;
  if (!requestBody) return undefined;
  if (/^application\/octet-stream|^(image|audio|video)\//i.test(requestBody.contentType)) {
    return new Expression(`new Blob([${typeof value === "string" ? JSON.stringify(value) : '"…"'}])`);
  }
  if (!isObject(value) || !requestBody.fileFields?.length) return value;
  const withFiles: Json = { ...value };
  for (const field of requestBody.fileFields) {
    if (field in withFiles) withFiles[field] = new Expression(`new Blob(["…"])`);
  }
  return withFiles;
}

/**
 * The arguments of the generated method, in its order: path parameters, body, parameters. No options: in
 * particular no `idempotencyKey`, which the SDK makes per call (and reuses on that call's retries), so that a
 * sample pasted twice starts two runs rather than replaying the first or failing as a conflict.
 */
function typeScriptArguments(context: SampleContext, body: unknown): string[] {
  const { op } = context;
  const args = op.pathParams.map((p) => tsLiteral(argumentValue(context, p)));
  if (op.requestBody) args.push(tsLiteral(typeScriptBody(context, body)));
  const params: Json = {};
  for (const [where, list] of [
    ["query", op.queryParams],
    ["header", op.headerParams],
    ["cookie", op.cookieParams],
  ] as const) {
    const shown = shownParameters(context, list);
    if (shown.length) params[where] = Object.fromEntries(shown.map((p) => [p.name, argumentValue(context, p)]));
  }
  if (Object.keys(params).length) args.push(tsLiteral(params));
  return args;
}

/** 60 columns: about what the reference's sample panel shows without scrolling. */
async function formatTypeScript(source: string): Promise<string> {
  const { format } = await import("prettier");
  return (await format(source, { parser: "typescript", printWidth: 60 })).trimEnd();
}

/** What the TypeScript samples of an operation with an idempotency key say about it. */
export const IDEMPOTENCY_COMMENT =
  "// No idempotencyKey: the SDK makes a new one per call\n// and sends it again on that call's retries.";

async function typeScriptSamples(context: SampleContext): Promise<CodeSample[]> {
  const { op, client } = context;
  const media = requestMedia(context);
  const body = bodyValue(context, media);
  const call = `${client.variable}${op.resourcePath.map(member).join("")}`;
  const prologue = `${client.imports}\n\n${client.setup}\n\n${op.idempotency ? `${IDEMPOTENCY_COMMENT}\n` : ""}`;
  const name = resultName(context);
  const args = typeScriptArguments(context, body).join(", ");
  const invoke = `${call}${member(op.methodName)}(${args})`;
  // A list that pages returns a PagePromise: iterating it walks every item of every page.
  const main = op.pagination
    ? `for await (const ${itemName(context)} of ${invoke}) {\n  console.log(${itemName(context)});\n}\n`
    : op.response === "empty"
      ? `await ${invoke};\n`
      : `const ${name} = await ${invoke};\nconsole.log(${name});\n`;
  const samples: CodeSample[] = [
    { lang: "TypeScript", label: SAMPLE_LABELS.typeScript, source: await formatTypeScript(prologue + main) },
  ];
  if (op.eventStream) {
    const streamBody = media && streamingBody(context, media, body);
    const streamArgs = typeScriptArguments(context, streamBody).join(", ");
    const loop = `const events = ${call}${member(op.eventStream.methodName)}(${streamArgs});\nfor await (const event of events) {\n  console.log(event);\n}\n`;
    samples.push({
      lang: "TypeScript",
      label: SAMPLE_LABELS.typeScriptStream,
      source: await formatTypeScript(prologue + loop),
    });
  }
  return samples;
}

/**
 * The body that asks for the event stream, where the body schema says how: a boolean `stream` property set to
 * true (OpenAI's style), or an enum property offering `"stream"` set to it (Flora's `mode`).
 */
function streamingBody(context: SampleContext, media: Json, body: unknown): unknown {
  if (!isObject(body)) return body;
  const properties = topLevelProperties(context.document, media.schema);
  for (const [key, property] of Object.entries(properties)) {
    const schema = asObject(context.document, property);
    if (key === "stream" && schema?.type === "boolean") return { ...body, stream: true };
    if (Array.isArray(schema?.enum) && schema.enum.includes("stream")) return { ...body, [key]: "stream" };
  }
  return body;
}

function topLevelProperties(document: Json, schema: unknown, depth = 0): Json {
  const node = asObject(document, schema);
  if (!node || depth > 8) return {};
  const own = isObject(node.properties) ? node.properties : {};
  const inherited = (Array.isArray(node.allOf) ? node.allOf : []).map((part) =>
    topLevelProperties(document, part, depth + 1),
  );
  return Object.assign({}, ...inherited, own);
}

// ---- curl ----------------------------------------------------------------------------------------------------
//
// Every word of a curl sample that holds spec text is quoted so that neither a shell nor curl reads anything in it,
// whether the sample runs as a script or is pasted into an interactive bash or zsh (history expansion, line
// editing): double quotes only around text of PLAIN characters, single quotes around any other text, ANSI-C
// quotes ($'…') where it holds a character a terminal or line editor acts on. Environment variables, and the
// command that makes a fresh idempotency key (FRESH_KEY_COMMAND, our own text), stay outside the single quotes. curl's own syntax in arguments is avoided too: `--data-raw` (no `@file`), `--form-string` (no
// `@file`, `<file`, `;type=`), file fields read a fixed placeholder file, never a name from the spec, URL-encoded
// form keys (no `name@file`), `--globoff` for a URL with `[]{}`, and only http(s) servers.

/** Text these characters alone means the same between double quotes in any POSIX shell, bash and zsh included. */
const PLAIN = /^[A-Za-z0-9 _.,:;/=?&%+@~*#-]*$/;

/**
 * Characters a terminal or line editor may act on when a sample is pasted (C0 controls but the newline, DEL, C1
 * controls), and the invisible ones that reorder or split what is shown (line and paragraph separators, bidi
 * controls): written as escapes.
 */
const UNPRINTABLE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A `$NAME` reference to an environment variable the generated client reads (upper snake case names only). */
function envReference(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`code samples: ${JSON.stringify(name)} is not a variable name`);
  return `$${name}`;
}

/**
 * A fresh idempotency key per run of a curl sample: a UUID v4, like the key the SDK sends. Node, because every
 * reader of this SDK's reference has it and it answers the same on Linux, macOS, WSL and Git Bash; `uuidgen` is
 * missing from minimal Debian, Ubuntu and Alpine systems, and `/proc/sys/kernel/random/uuid` from macOS.
 * Our own fixed text, for double quotes: it holds no `!`, `"`, `\`` or `\\`.
 */
export const FRESH_KEY_COMMAND = "$(node -e 'console.log(crypto.randomUUID())')";

/**
 * One shell word that is `text` as is, followed by `expansion` if given, which is our own fixed text for double
 * quotes (an environment variable's `$NAME`, FRESH_KEY_COMMAND), never spec text:
 * `"Authorization: Bearer $FLORA_API_KEY"`, `'X-Trace: !#'`, `'a'\''b'"$KEY"`.
 */
function shellWord(text: string, expansion = ""): string {
  if (PLAIN.test(text)) return `"${text}${expansion}"`;
  const quoted = UNPRINTABLE.test(text) ? ansiQuoted(text) : `'${text.replace(/'/g, "'\\''")}'`;
  return expansion ? `${quoted}"${expansion}"` : quoted;
}

/**
 * `$'…'` with `\` escaped as `\\`, and `'` and `!` (which bash's history expansion may not see as quoted here) and
 * every UNPRINTABLE character as their UTF-8 bytes (`\x27`). A NUL cannot be in a command's argument and is left out.
 */
function ansiQuoted(text: string): string {
  const bytes = (char: string) => [...Buffer.from(char, "utf8")].map((b) => `\\x${b.toString(16).padStart(2, "0")}`);
  let out = "";
  for (const char of text) {
    if (char === "\0") continue;
    out +=
      char === "\\" ? "\\\\" : char === "'" || char === "!" || UNPRINTABLE.test(char) ? bytes(char).join("") : char;
  }
  return `$'${out}'`;
}

/** An HTTP header or cookie name (RFC 9110 token): anything else no client can send, and the sample leaves it out. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `-H 'Name: value'`, or nothing for a name that is not a token. A line break or other control character, which no
 * header can carry (the generated client refuses it), becomes a space, as HTTP's line folding reads one.
 */
function headerArgument(name: string, value: string, expansion?: string): string[] {
  if (!TOKEN.test(name)) return [];
  return [`-H ${shellWord(`${name}: ${value.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, " ")}`, expansion)}`];
}

/** The file a file field or raw binary body reads: a fixed name the reader replaces, never one from the spec. */
const FILE_PLACEHOLDER = "./file.bin";

/** `value` in the style the parameter declares, for a path segment. */
function pathSegment(parameter: ParameterModel, value: unknown): string {
  const encode = (v: unknown) => encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v));
  const text = Array.isArray(value)
    ? value.map(encode).join(",")
    : isObject(value)
      ? Object.entries(value)
          .flatMap(([k, v]) => (parameter.explode ? [`${encode(k)}=${encode(v)}`] : [encode(k), encode(v)]))
          .join(",")
      : encode(value);
  if (parameter.style === "label") return `.${text}`;
  if (parameter.style === "matrix") return `;${encodeURIComponent(parameter.name)}=${text}`;
  return text;
}

/** `name=value` pairs of a query parameter in its style (form, spaceDelimited, pipeDelimited, deepObject). */
function queryPairs(parameter: ParameterModel, value: unknown): [string, string][] {
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  if (parameter.contentType) return [[parameter.name, text(value)]];
  if (Array.isArray(value)) {
    if (parameter.explode) return value.map((v) => [parameter.name, text(v)]);
    const separator = { spaceDelimited: " ", pipeDelimited: "|" }[parameter.style as string] ?? ",";
    return [[parameter.name, value.map(text).join(separator)]];
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (parameter.style === "deepObject") return entries.map(([k, v]) => [`${parameter.name}[${k}]`, text(v)]);
    if (parameter.explode) return entries.map(([k, v]) => [k, text(v)]);
    return [[parameter.name, entries.flatMap(([k, v]) => [k, text(v)]).join(",")]];
  }
  return [[parameter.name, text(value)]];
}

/** The server's URL; a relative one, or one of another scheme than http(s), is placed on `https://api.example.com`. */
function serverUrl(context: SampleContext): string {
  const server = context.op.servers?.[0] ?? context.model.servers[0];
  const url = server ? defaultServerUrl(server) : "/";
  // A relative server URL is relative to where the spec is served, which a sample cannot know; another scheme
  // (file:, gopher:, …) is not what a generated client speaks, and curl would read a local file or talk to a local service.
  const absolute = /^https?:\/\//i.test(url)
    ? url
    : new URL(/^[a-z][a-z0-9+.-]*:/i.test(url) ? "/" : url, "https://api.example.com").href;
  return absolute.replace(/\/+$/, "");
}

/** Where each credential goes, from the operation's first security requirement (else the document's). */
function credentialArguments(context: SampleContext): { args: string[]; query?: [string, string] } {
  const requirements = Array.isArray(context.raw.security)
    ? context.raw.security
    : Array.isArray(context.document.security)
      ? context.document.security
      : [];
  const first = requirements.find(isObject) ?? {};
  const names = Object.keys(first);
  const args: string[] = [];
  let query: [string, string] | undefined;
  for (const name of names) {
    const scheme = context.model.securitySchemes.find((s) => s.name === name);
    if (!scheme) continue;
    // The variables the generated client reads its credentials from (model/environment.ts): one source for both.
    const env = context.model.client.schemeEnv[name];
    const variable = (suffix: string) =>
      typeof env === "object"
        ? suffix === "USERNAME"
          ? env.username
          : env.password
        : (env ?? `${context.model.client.envPrefix}_${suffix}`);
    const placed = credentialArgument(scheme, variable);
    if ("query" in placed) query = placed.query;
    else args.push(...placed.args);
  }
  return { args, query };
}

/** The curl arguments of one scheme, or the query parameter (name, variable) it adds. */
function credentialArgument(
  scheme: SecuritySchemeModel,
  variable: (suffix: string) => string,
): { args: string[] } | { query: [string, string] } {
  if (scheme.type === "http" && scheme.scheme === "basic")
    return { args: [`-u "${envReference(variable("USERNAME"))}:${envReference(variable("PASSWORD"))}"`] };
  if (scheme.type === "http") {
    const kind = scheme.scheme === "bearer" || !scheme.scheme ? "Bearer" : scheme.scheme;
    return { args: headerArgument("Authorization", `${kind} `, envReference(variable("API_KEY"))) };
  }
  if (scheme.type === "apiKey" && scheme.parameterName) {
    if (scheme.in === "query") return { query: [scheme.parameterName, variable("API_KEY")] };
    if (scheme.in === "cookie")
      return TOKEN.test(scheme.parameterName)
        ? { args: [`-b ${shellWord(`${scheme.parameterName}=`, envReference(variable("API_KEY")))}`] }
        : { args: [] };
    return { args: headerArgument(scheme.parameterName, "", envReference(variable("API_KEY"))) };
  }
  if (scheme.type === "oauth2" || scheme.type === "openIdConnect")
    return { args: headerArgument("Authorization", "Bearer ", envReference(variable("ACCESS_TOKEN"))) };
  if (scheme.type === "mutualTLS")
    return {
      args: [`--cert "${envReference(variable("CLIENT_CERT"))}"`, `--key "${envReference(variable("CLIENT_KEY"))}"`],
    };
  return { args: [] };
}

function curlBody(context: SampleContext, value: unknown): string[] {
  const { requestBody } = context.op;
  if (!requestBody) return [];
  const { contentType } = requestBody;
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  if (/^multipart\//i.test(contentType)) {
    const files = new Set(requestBody.fileFields ?? []);
    // curl reads a form field's name up to its first `=`; a name with one, or with a control character, cannot be written.
    return Object.entries(isObject(value) ? value : {})
      .filter(([key]) => !/[=\x00-\x1f\x7f]/.test(key))
      .map(([key, v]) =>
        files.has(key)
          ? `-F ${shellWord(`${key}=@${FILE_PLACEHOLDER}`)}`
          : `--form-string ${shellWord(`${key}=${text(v)}`)}`,
      );
  }
  const type = headerArgument("Content-Type", contentType);
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    // curl encodes the part after the first `=` and sends the name as given: encoded here, so no `@` makes it a file.
    return [
      ...type,
      ...Object.entries(isObject(value) ? value : {}).map(
        ([k, v]) => `--data-urlencode ${shellWord(`${encodeURIComponent(k)}=${text(v)}`)}`,
      ),
    ];
  }
  if (/^application\/octet-stream|^(image|audio|video)\//i.test(contentType))
    return [...type, `--data-binary @${FILE_PLACEHOLDER}`];
  // Indented under `--data-raw`; the spaces are JSON whitespace.
  if (/json/i.test(contentType))
    return [...type, `--data-raw ${shellWord(JSON.stringify(value, null, 2).replace(/\n/g, "\n  "))}`];
  return [...type, `--data-raw ${shellWord(text(value))}`];
}

/** A cookie as the generated client writes it: name and value percent-encoded, except in OpenAPI 3.2's cookie style. */
function cookiePair(parameter: ParameterModel, value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return parameter.style === "cookie"
    ? `${parameter.name}=${text.replace(/[\x00-\x1f\x7f;]/g, " ")}`
    : `${encodeURIComponent(parameter.name)}=${encodeURIComponent(text)}`;
}

function curlSamples(context: SampleContext): CodeSample[] {
  const { op } = context;
  let path = op.path;
  for (const parameter of op.pathParams) {
    path = path.split(`{${parameter.name}}`).join(pathSegment(parameter, argumentValue(context, parameter)));
  }
  const pairs = shownParameters(context, op.queryParams).flatMap((p) => queryPairs(p, argumentValue(context, p)));
  const credentials = credentialArguments(context);
  const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const separator = op.path.includes("?") ? "&" : "?";
  const url = `${serverUrl(context)}${path}${search.length ? separator + search.join("&") : ""}`;
  const urlWord = credentials.query
    ? shellWord(
        `${url}${search.length || op.path.includes("?") ? "&" : "?"}${encodeURIComponent(credentials.query[0])}=`,
        envReference(credentials.query[1]),
      )
    : shellWord(url);
  const method = op.method.toUpperCase();
  // curl reads `[1-3]` and `{a,b}` in a URL as a pattern of several URLs unless told not to.
  const curl = /[[\]{}]/.test(url) ? "curl --globoff" : "curl";
  const first =
    method === "GET"
      ? `${curl} ${urlWord}`
      : method === "HEAD"
        ? `${curl} -I ${urlWord}`
        : `${curl} -X ${method} ${urlWord}`;
  const headers = [
    ...shownParameters(context, op.headerParams).flatMap((p) => {
      const value = argumentValue(context, p);
      return headerArgument(p.name, typeof value === "string" ? value : JSON.stringify(value));
    }),
    // A fresh key each time the sample runs: a fixed one would replay the first run (or conflict with its body).
    ...(op.idempotency ? headerArgument(op.idempotency.header, "", FRESH_KEY_COMMAND) : []),
  ];
  const cookies = shownParameters(context, op.cookieParams)
    .filter((p) => TOKEN.test(p.name) || p.style !== "cookie")
    .map((p) => cookiePair(p, argumentValue(context, p)));
  const media = requestMedia(context);
  const lines = [
    first,
    ...credentials.args,
    ...headers,
    ...(cookies.length ? [`-b ${shellWord(cookies.join("; "))}`] : []),
    ...curlBody(context, bodyValue(context, media)),
  ];
  return [{ lang: "Shell", label: SAMPLE_LABELS.curl, source: lines.join(" \\\n  ") }];
}
