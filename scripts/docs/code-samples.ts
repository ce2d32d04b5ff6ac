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

/** The optional parameters a sample shows: those the spec gives an example; required ones always. */
function shownParameters(context: SampleContext, list: ParameterModel[]): ParameterModel[] {
  return list.filter((parameter) => {
    if (parameter.required) return true;
    const declared = context.parameters.get(`${parameter.in}:${parameter.name}`);
    return declared !== undefined && declaredExample(context.document, declared) !== undefined;
  });
}

function requestMedia(context: SampleContext): Json | undefined {
  const { op, document, raw } = context;
  if (!op.requestBody) return undefined;
  const body = asObject(document, raw.requestBody);
  const content = body && asObject(document, body.content);
  return (content && asObject(document, content[op.requestBody.contentType])) ?? {};
}

function idempotencyKeyExample(context: SampleContext): string {
  const header = context.op.idempotency?.header.toLowerCase();
  const declared = [...context.parameters.values()].find(
    (p) => p.in === "header" && String(p.name).toLowerCase() === header,
  );
  const value = declared && declaredExample(context.document, declared)?.value;
  return typeof value === "string" ? value : "123e4567-e89b-12d3-a456-426614174000";
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
  const { op, client } = context;
  const last = op.resourcePath.at(-1);
  let name = last ?? "result";
  if (last && !/^list/i.test(op.methodName)) {
    name = last
      .replace(/ies$/, "y")
      .replace(/(ss|us|is)$/, "$1")
      .replace(/(?<!s)s$/, "");
  }
  return /^[A-Za-z_$][\w$]*$/.test(name) && !RESERVED.has(name) && name !== client.variable && name !== "event"
    ? name
    : "result";
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

/** The arguments of the generated method, in its order: path parameters, body, parameters, options. */
function typeScriptArguments(context: SampleContext, body: unknown): string[] {
  const { op } = context;
  const args = op.pathParams.map((p) => tsLiteral(argumentValue(context, p)));
  if (op.requestBody) args.push(tsLiteral(typeScriptBody(context, body)));
  const hasParams = op.queryParams.length + op.headerParams.length + op.cookieParams.length > 0;
  const params: Json = {};
  for (const [where, list] of [
    ["query", op.queryParams],
    ["header", op.headerParams],
    ["cookie", op.cookieParams],
  ] as const) {
    const shown = shownParameters(context, list);
    if (shown.length) params[where] = Object.fromEntries(shown.map((p) => [p.name, argumentValue(context, p)]));
  }
  const options = op.idempotency ? { idempotencyKey: idempotencyKeyExample(context) } : undefined;
  if (Object.keys(params).length) args.push(tsLiteral(params));
  else if (hasParams && options) args.push("undefined");
  if (options) args.push(tsLiteral(options));
  return args;
}

/** 60 columns: about what the reference's sample panel shows without scrolling. */
async function formatTypeScript(source: string): Promise<string> {
  const { format } = await import("prettier");
  return (await format(source, { parser: "typescript", printWidth: 60 })).trimEnd();
}

async function typeScriptSamples(context: SampleContext): Promise<CodeSample[]> {
  const { op, client } = context;
  const media = requestMedia(context);
  const body = media && mediaTypeValue(context.document, media);
  const call = `${client.variable}${op.resourcePath.map(member).join("")}`;
  const prologue = `${client.imports}\n\n${client.setup}\n\n`;
  const name = resultName(context);
  const invoke = `await ${call}${member(op.methodName)}(${typeScriptArguments(context, body).join(", ")})`;
  const main = op.response === "empty" ? `${invoke};\n` : `const ${name} = ${invoke};\nconsole.log(${name});\n`;
  const samples: CodeSample[] = [
    { lang: "TypeScript", label: SAMPLE_LABELS.typeScript, source: await formatTypeScript(prologue + main) },
  ];
  if (op.eventStream) {
    const streamBody = media && streamingBody(context, media, body);
    const args = typeScriptArguments(context, streamBody).join(", ");
    const loop = `const events = ${call}${member(op.eventStream.methodName)}(${args});\nfor await (const event of events) {\n  console.log(event);\n}\n`;
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
// quotes ($'…') where it holds a character a terminal or line editor acts on. Environment variables stay outside
// the single quotes. curl's own syntax in arguments is avoided too: `--data-raw` (no `@file`), `--form-string` (no
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
 * One shell word that is `text` as is, followed by the value of the environment variable `variable` if given:
 * `"Authorization: Bearer $FLORA_API_KEY"`, `'X-Trace: !#'`, `'a'\''b'"$KEY"`.
 */
function shellWord(text: string, variable?: string): string {
  const reference = variable === undefined ? "" : envReference(variable);
  if (PLAIN.test(text)) return `"${text}${reference}"`;
  const quoted = UNPRINTABLE.test(text) ? ansiQuoted(text) : `'${text.replace(/'/g, "'\\''")}'`;
  return reference ? `${quoted}"${reference}"` : quoted;
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
function headerArgument(name: string, value: string, variable?: string): string[] {
  if (!TOKEN.test(name)) return [];
  return [`-H ${shellWord(`${name}: ${value.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, " ")}`, variable)}`];
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
    return { args: headerArgument("Authorization", `${kind} `, variable("API_KEY")) };
  }
  if (scheme.type === "apiKey" && scheme.parameterName) {
    if (scheme.in === "query") return { query: [scheme.parameterName, variable("API_KEY")] };
    if (scheme.in === "cookie")
      return TOKEN.test(scheme.parameterName)
        ? { args: [`-b ${shellWord(`${scheme.parameterName}=`, variable("API_KEY"))}`] }
        : { args: [] };
    return { args: headerArgument(scheme.parameterName, "", variable("API_KEY")) };
  }
  if (scheme.type === "oauth2" || scheme.type === "openIdConnect")
    return { args: headerArgument("Authorization", "Bearer ", variable("ACCESS_TOKEN")) };
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
        credentials.query[1],
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
    ...(op.idempotency ? headerArgument(op.idempotency.header, idempotencyKeyExample(context)) : []),
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
    ...curlBody(context, media && mediaTypeValue(context.document, media)),
  ];
  return [{ lang: "Shell", label: SAMPLE_LABELS.curl, source: lines.join(" \\\n  ") }];
}
