// Places each operation in the resource tree (`techniques.runs.create`) and gives it unique names.
// The rules are documented in the README ("Method names") and pinned by test/naming-rules.test.ts.
import { PipelineError, type SpecLocation } from "../errors.js";
import {
  camelCase,
  isUnsafeMember,
  lowerCamel,
  memberName,
  nameWords,
  NamePool,
  pascalCase,
  safeMember,
  typeName,
  words,
} from "./names.js";
import { pointer } from "./refs.js";
import type { NameRule, OperationModel } from "./types.js";

type ReadOperation = Omit<OperationModel, "key" | "typeStem" | "resourcePath" | "methodName">;

/** One entry of a name-override file: `operationId` or `METHOD /path` → `resource.path.method`. */
export interface NameOverrideEntry {
  /** The entry's key as written: an operationId, or a method and path such as `POST /v1/charges/{charge}/capture`. */
  key: string;
  resourcePath: string[];
  methodName: string;
  /** Where the entry is, for errors. */
  location: SpecLocation;
}

/** A method name is at most this many words and characters when it is made from an operationId. */
export const MAX_METHOD_WORDS = 3;
export const MAX_METHOD_LENGTH = 40;
/** Resource paths deeper than this keep their first and last levels (see `limitDepth`). */
export const MAX_RESOURCE_DEPTH = 4;

// Leading segments that only mount the API: dropped when every path starts with them, or before a version.
const MOUNT_SEGMENT = /^(api|rest)$/i;
// Version and numeric segments: `v1`, `v2beta1`, `2010-04-01`, `0`, `2.0`. Namespaces, not resources.
const VERSION_SEGMENT = /^(v\d+([._-]?\d+)*([._-]?(alpha|beta)\d*)?|\d+([._-]\d+)*)$/i;
// File extensions a path segment may carry (`Messages.json`, `{Sid}.json`, `events.ics`).
const EXTENSION =
  /\.(json|xml|ics|csv|tsv|yaml|yml|txt|html?|rss|atom|pdf|png|jpe?g|gif|svg|zip|ndjson|jsonl|md|js|mp3|wav)$/i;
// Query parameters that page through a collection: a GET that takes one lists.
const PAGINATION =
  /^(limit|page|per_?page|page_?size|page_?token|cursor|offset|starting_after|ending_before|after|before|marker|max_?results|top|skip)$/i;
// First words of a path segment that name an action rather than a collection or a singleton.
const ACTION_VERBS = new Set(
  (
    "abort accept activate apply approve archive assign attach authorize block cancel capture check clone close commit " +
    "complete confirm convert copy count create deactivate decline decrement delete deny deploy detach disable dismiss downgrade " +
    "download duplicate enable estimate evaluate execute expire export fail finalize find follow generate hide import " +
    "increment invite join leave link lock logout login lookup mark merge move mute pause pay pin ping play preview " +
    "process promote publish reboot reconcile redeem refresh refund reject release reload remove rename reopen " +
    "reschedule resend reset resize restart restore resume retry reverse revoke rollback rotate run schedule search " +
    "seek send share skip start stop submit subscribe suspend sync terminate test transfer trigger unarchive unassign " +
    "unblock unfollow unhide unlink unlock unmute unpin unpublish unshare unsubscribe unsuspend update upgrade upload " +
    "validate verify void " +
    // Stripe's test helpers and Connect, Spotify's player: verbs of one object, and `next`/`previous` as
    // navigation commands (`me.player.next()`), which name an action as plainly as a verb.
    "advance append deliver disconnect fund present redact remix return set ship succeed trim next previous"
  ).split(" "),
);
// Action verbs that also read as a noun's modifier in a plural segment (`login_links`, `test_clocks`,
// `transfer_reversals`): a plural segment they start is a collection unless the operationId names the verb.
const NOUN_LIKE_VERBS = new Set(
  "check copy count download export import link lock login logout lookup pay ping preview refund schedule search share sync test transfer upload".split(
    " ",
  ),
);
// Segments that are verbs though an operationId starting with them is only its HTTP method: a ledger's `post`
// (Stripe's `/outbound_payments/{id}/post`).
const PATH_ONLY_VERBS = new Set(["post"]);
// Words an operationId or summary starts with that name a read: a POST they name is a query, not a `create`.
const READ_INTENT = new Set("get retrieve fetch read list search query count lookup find".split(" "));
// Lead-in words before the verb that says what the operation does (`perform-search`, `executeQuery`).
const LEAD_IN = new Set(["perform", "do", "execute", "beta"]);
// Verbs a GET may name as an action segment (`/customers/search`, `/me/tracks/contains`).
const READ_ACTIONS = new Set(
  "check contains count download estimate export find lookup preview search validate verify".split(" "),
);
// Words an operationId shares with its path that say nothing about the method.
const FILLER = new Set("a an the by for of to from in on with and or all".split(" "));
// Words after which a word the path says is kept: `createThreadAndRun` → `createAndRun`, `post_byId` → `createById`.
const KEEP_AFTER = new Set(["and", "or", "by", "for"]);
// Words of a summary's prose that never name a method.
const PROSE = new Set("a an the it its this that these those one given specified existing current".split(" "));
const HTTP_VERBS = new Set(["get", "post", "put", "patch", "delete", "head", "options", "query"]);
// A Map, not an object literal: an operationId word such as `constructor` or `toString` is no synonym.
const SYNONYMS = new Map<string, string>([
  ["modify", "update"],
  ["edit", "update"],
  ["change", "update"],
  ["remove", "delete"],
  ["destroy", "delete"],
  ["erase", "delete"],
  ["del", "delete"],
  ["fetch", "retrieve"],
  ["read", "retrieve"],
  ["show", "retrieve"],
  ["describe", "retrieve"],
]);
const CREATE_SYNONYMS = new Set(["add", "new", "insert", "make"]);
// Singular words that end in `s`.
const SINGULAR_S = new Set("status news series analysis alias canvas access address process business".split(" "));

/**
 * A static segment that is an instance's id baked into the path, not a resource name: a UUID, 16 or more hex
 * digits, or a part (between `-`, `_` or `.`) of 8 or more characters that mixes digits with upper- and lowercase
 * letters the way generated ids do (Box's `securityClassification-6VMVochwUWo`): it starts with a digit, or has
 * two digits and two capitals apart from each other. Such a segment is an item, like `{id}`.
 */
export function isIdSegment(segment: string): boolean {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return true;
  if (/^(?=.*\d)(?=.*[a-f])[0-9a-f]{16,}$/i.test(segment)) return true;
  return segment.split(/[-_.]/).some((part) => {
    if (part.length < 8 || !/\d/.test(part) || !/[A-Z]/.test(part) || !/[a-z]/.test(part)) return false;
    if (/^\d/.test(part)) return true;
    return (part.match(/\d+/g) ?? []).length >= 2 && (part.match(/[A-Z]+/g) ?? []).length >= 2;
  });
}

const NUMBER_WORDS = "zero one two three four five six seven eight nine ten".split(" ");
/** A segment that starts with a small number reads as the word (`1-clicks` → `one-clicks`): no `_1Clicks`. */
export function spellLeadingNumber(segment: string): string {
  const m = /^(\d+)(?=[-_ .]?[A-Za-z])[-_ .]?/.exec(segment);
  const n = m ? Number(m[1]) : NaN;
  return m && n < NUMBER_WORDS.length ? `${NUMBER_WORDS[n]}-${segment.slice(m[0].length)}` : segment;
}

type Token = { param: true } | { param: false; raw: string };

interface PathFacts {
  /** Tokens after dropping extensions, versions and the mount. */
  tokens: Map<string, Token[]>;
  /** Normalized path keys that some other path continues below. */
  continued: Set<string>;
  /** Normalized path keys followed by an item (`/files` when `/files/{id}` exists). */
  itemParents: Set<string>;
  /** Methods on each normalized path key. */
  methods: Map<string, Set<string>>;
}

const isParamSegment = (segment: string) => segment.includes("{");
const keyOf = (tokens: Token[]) => tokens.map((t) => (t.param ? "{}" : t.raw.toLowerCase())).join("/");

/**
 * A path's segments without its query (`/responses/{id}?beta=true`) and file extensions; a segment with static
 * text before a parameter (`thumbnail.{extension}`) is that text, then an item.
 */
function rawSegments(path: string): string[] {
  return path
    .split(/[?#]/)[0]
    .split("/")
    .filter(Boolean)
    .flatMap((s) => {
      if (!isParamSegment(s)) return [s.replace(EXTENSION, "")];
      const prefix = s.slice(0, s.indexOf("{")).replace(/[^A-Za-z0-9]+$/, "");
      return /[A-Za-z]/.test(prefix) ? [prefix, s.slice(s.indexOf("{"))] : [s];
    })
    .filter(Boolean);
}

/** Reads the shape of every path once: which segments are items, what continues below, which methods each has. */
function readPaths(ops: ReadOperation[]): PathFacts {
  const paths = [...new Set(ops.map((o) => o.path))];
  const split = paths.map(rawSegments);
  // Leading `api`/`rest` segments every path shares.
  let mount = 0;
  while (
    split.length > 0 &&
    split.every((s) => s.length > mount + 1 && s[mount] === split[0][mount] && MOUNT_SEGMENT.test(s[mount]))
  )
    mount++;
  const clean = (segments: string[], dropVersions: boolean): Token[] =>
    segments
      .slice(mount)
      .filter((s, i, all) => !(i === 0 && MOUNT_SEGMENT.test(s) && VERSION_SEGMENT.test(all[1] ?? "")))
      .filter((s) => !(dropVersions && !isParamSegment(s) && VERSION_SEGMENT.test(s)))
      .map((s): Token => (isParamSegment(s) || isIdSegment(s) ? { param: true } : { param: false, raw: s }));
  // A version segment stays where dropping it would make two paths one (`/` and `/v2`).
  const byKey = new Map<string, string[]>();
  paths.forEach((p, i) => {
    const key = keyOf(clean(split[i], true));
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  });
  const tokens = new Map<string, Token[]>();
  paths.forEach((p, i) => {
    const alone = (byKey.get(keyOf(clean(split[i], true))) ?? []).length === 1;
    tokens.set(p, clean(split[i], alone));
  });
  const continued = new Set<string>();
  const itemParents = new Set<string>();
  const methods = new Map<string, Set<string>>();
  for (const op of ops) {
    const t = tokens.get(op.path) as Token[];
    const key = keyOf(t);
    if (!methods.has(key)) methods.set(key, new Set());
    (methods.get(key) as Set<string>).add(op.method);
    for (let d = 1; d < t.length; d++) {
      continued.add(keyOf(t.slice(0, d)));
      if (t[d].param) itemParents.add(keyOf(t.slice(0, d)));
    }
  }
  return { tokens, continued, itemParents, methods };
}

/** Lowercase stem for comparing words: `Customers`, `customer` → `customer`; `Batches` → `batch`. */
function stem(word: string): string {
  const w = word.toLowerCase();
  if (w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ches|shes|xes|sses|zes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !w.endsWith("ss") && !SINGULAR_S.has(w)) return w.slice(0, -1);
  return w;
}

function isPlural(segment: string): boolean {
  const last = (nameWords(segment).pop() ?? "").toLowerCase();
  if (["people", "children", "data", "media"].includes(last)) return true;
  return /[^su]s$/.test(last) && !SINGULAR_S.has(last);
}

/**
 * The first word of the operationId and of the summary, lowercased: what the spec's author called the action.
 * An operationId that starts with a write method (Stripe's `PostChargesChargeDispute`) says nothing by it and
 * gives no word; `get` and `query` name a read and are kept. A lead-in (`perform-search`, `beta_…`) gives the word
 * after it, and an operationId glued into one long word (`Getinputtokencounts`) the verb it starts with.
 */
function intentWords(op: Pick<ReadOperation, "id" | "idFromSpec" | "summary">): string[] {
  const lead = (ws: string[]) => {
    const lower = ws.map((w) => w.toLowerCase());
    return (lower.length > 1 && LEAD_IN.has(lower[0]) ? lower[1] : lower[0]) ?? "";
  };
  const out: string[] = [];
  if (op.idFromSpec) {
    let first = lead(nameWords(op.id.split("#")[0]));
    if (first.length > MAX_WORD)
      first =
        [...READ_INTENT, ...ACTION_VERBS, ...HTTP_VERBS]
          .filter((v) => first.startsWith(v))
          .sort((a, b) => b.length - a.length)[0] ?? "";
    if (first && !(HTTP_VERBS.has(first) && !READ_INTENT.has(first))) out.push(first);
  }
  if (op.summary) out.push(lead(nameWords(op.summary)));
  return out.filter(Boolean);
}

interface Derived {
  resourcePath: string[];
  /** The conventional name, when the shape gives one. */
  methodName?: string;
  rule: NameRule;
}

/**
 * The name the path's shape gives. A trailing static segment is an action on its parent when the operation
 * is a POST or PUT (or a GET for a read verb such as `search`), nothing continues below it, it is not a
 * collection (no item under it, no GET on it for a write), and it reads as a verb: its first word is a
 * known action verb or the operationId's or summary's first word. A path's `#fragment` (Box's
 * `/files/{id}#add_shared_link`) names the operation among the path's twins.
 */
function derive(op: ReadOperation, facts: PathFacts, raw: Record<string, unknown> | undefined): Derived {
  const shaped = deriveFromPath(op, facts, raw);
  const fragment = /#(.+)$/.exec(op.path)?.[1];
  const fragmentWords = fragment ? nameWords(fragment) : [];
  if (fragmentWords.length === 0) return shaped;
  const head = fragmentWords[0].toLowerCase();
  // `#add_shared_link` → addSharedLink, `#get_shared_link` → retrieveSharedLink, `#remove_shared_link` → deleteSharedLink.
  if (isVerb(head)) {
    const verb = head === "get" ? "retrieve" : (SYNONYMS.get(head) ?? head);
    return { ...shaped, methodName: lowerCamel([verb, ...fragmentWords.slice(1)].join(" ")), rule: "action" };
  }
  // `GET /shared_items#folders` returns one folder: the fragment is what the read returns.
  const pages =
    op.queryParams.some((p) => PAGINATION.test(p.name)) ||
    (op.responseShape?.types?.length === 1 && op.responseShape.types[0] === "array");
  const verb = op.method === "get" ? (pages ? "list" : "retrieve") : (shaped.methodName ?? op.method);
  const object =
    verb === "retrieve" ? [...fragmentWords.slice(0, -1), stem(fragmentWords.at(-1) as string)] : fragmentWords;
  return { ...shaped, methodName: lowerCamel([verb, ...object].join(" ")), rule: shaped.rule };
}

/** True when a 2XX response of the operation as written offers a media type that is neither JSON nor text. */
function mayBeBinary(raw: Record<string, unknown> | undefined): boolean {
  const responses = raw?.responses;
  if (!responses || typeof responses !== "object") return false;
  return Object.entries(responses as Record<string, unknown>).some(([status, response]) => {
    const content =
      /^2/.test(status) && response && typeof response === "object" && (response as { content?: unknown }).content;
    return (
      !!content &&
      typeof content === "object" &&
      Object.keys(content).some((type) => !/json|^text\/|\+xml|\/xml|^\*\/\*$|form-urlencoded/i.test(type))
    );
  });
}

function deriveFromPath(op: ReadOperation, facts: PathFacts, raw: Record<string, unknown> | undefined): Derived {
  const tokens = facts.tokens.get(op.path) as Token[];
  const statics = tokens.filter((t): t is { param: false; raw: string } => !t.param).map((t) => t.raw);
  const key = keyOf(tokens);
  const last = tokens[tokens.length - 1];
  const methodsHere = facts.methods.get(key) ?? new Set<string>();
  const intent = intentWords(op);
  // A binary success response, or one that may be (OpenAI's `/videos/{id}/content` answers video/mp4 or JSON).
  const binary = op.response === "binary" || (op.method === "get" && mayBeBinary(raw));
  if (!last) {
    const verb = op.method === "get" ? "list" : op.method === "post" ? "create" : undefined;
    return { resourcePath: [], methodName: verb, rule: "crud" };
  }
  if (last.param) {
    // `/repositories/{owner}` beside `/repositories/{owner}/{slug}`: the first is a collection scoped by owner.
    const scoped = facts.itemParents.has(key);
    const verb =
      op.method === "get"
        ? binary
          ? "download"
          : scoped
            ? "list"
            : "retrieve"
        : op.method === "put" || op.method === "patch"
          ? "update"
          : op.method === "delete"
            ? "delete"
            : op.method === "post" && !methodsHere.has("put") && !methodsHere.has("patch")
              ? "update"
              : undefined;
    // A POST on an item whose operationId names another action (`cancelEvalRun`) is that action.
    const idVerb = op.idFromSpec
      ? verbAndRest(nameWords(op.id), knownWords(op.path, statics), op.method).verb
      : undefined;
    const own = idVerb?.toLowerCase() ?? "";
    if (op.method === "post" && ACTION_VERBS.has(own) && !OTHER_VERBS.has(own) && !SYNONYMS.has(own))
      return { resourcePath: statics, methodName: lowerCamel(own), rule: "action" };
    return { resourcePath: statics, methodName: verb, rule: verb === "download" ? "download" : "crud" };
  }
  // A custom method (`/levels:append`, AIP-136): the verb after the colon acts on the collection before it.
  const custom = /^([^:]+):([A-Za-z][A-Za-z0-9_-]*)$/.exec(last.raw);
  if (custom)
    return { resourcePath: [...statics.slice(0, -1), custom[1]], methodName: lowerCamel(custom[2]), rule: "action" };
  const segment = last.raw;
  const segmentWords = nameWords(segment);
  const parent = statics.slice(0, -1);
  const collection = facts.itemParents.has(key);
  const first = (segmentWords[0] ?? "").toLowerCase();
  // `Compactconversation` names `/responses/compact`.
  const named = first.length > 2 && intent.some((w) => w === first || w === stem(first) || w.startsWith(first));
  const actionMethod =
    op.method === "post" || op.method === "put"
      ? !methodsHere.has("get") && (ACTION_VERBS.has(first) || PATH_ONLY_VERBS.has(first) || named)
      : op.method === "get" && (READ_ACTIONS.has(first) || (named && ACTION_VERBS.has(first)));
  const action =
    actionMethod &&
    !facts.continued.has(key) &&
    !collection &&
    // A plural segment is a collection (`login_links`, `imports`), unless it is one verb (`contains`), starts
    // with the very verb the spec names (`submit_tool_outputs` for `submitToolOutputsToRun`), or starts with a
    // verb that is no noun's modifier and has an object after it (`verify_microdeposits`).
    (!isPlural(segment) ||
      (segmentWords.length > 1 && (intent.includes(first) || !NOUN_LIKE_VERBS.has(first))) ||
      (segmentWords.length === 1 && (ACTION_VERBS.has(first) || READ_ACTIONS.has(first)))) &&
    (parent.length > 0 || named);
  if (action) return { resourcePath: parent, methodName: lowerCamel(segment), rule: "action" };

  const plural = collection || isPlural(segment);
  const idVerb = op.idFromSpec
    ? verbAndRest(nameWords(op.id), knownWords(op.path, statics), op.method).verb
    : undefined;
  const pages =
    op.queryParams.some((p) => PAGINATION.test(p.name)) ||
    (op.responseShape?.types?.length === 1 && op.responseShape.types[0] === "array");
  const listing = plural || idVerb?.toLowerCase() === "list" || pages;
  switch (op.method) {
    case "get":
      if (binary) return { resourcePath: statics, methodName: "download", rule: "download" };
      return listing
        ? { resourcePath: statics, methodName: "list", rule: "crud" }
        : { resourcePath: statics, methodName: "retrieve", rule: "singleton" };
    case "post": {
      // A POST its operationId or summary calls a read is a query (`perform-search` → `records.search`,
      // `Getinputtokencounts` → `responses.inputTokens.retrieve`): no GET answers there.
      const read = intent.find((w) => READ_INTENT.has(w) || (SYNONYMS.get(w) ?? w) === "retrieve");
      if (read && !methodsHere.has("get")) {
        const list = pages || (op.idFromSpec && nameWords(op.id).some((w) => w.toLowerCase() === "list"));
        const verb = ["search", "count", "lookup", "find", "query"].includes(read) ? read : list ? "list" : "retrieve";
        return { resourcePath: statics, methodName: verb, rule: "action" };
      }
      // A POST that runs something on a readable singleton (`POST …/clusterlint`, "Run Clusterlint") is that
      // verb; one on a collection adds to it (`POST /invites` "Create invite", "Assign legal hold policy").
      const runs = intent.find(
        (w) => ACTION_VERBS.has(w) && !OTHER_VERBS.has(w) && !SYNONYMS.has(w) && !NOUN_LIKE_VERBS.has(w),
      );
      if (runs && !plural && methodsHere.has("get"))
        return { resourcePath: statics, methodName: lowerCamel(runs), rule: "action" };
      // A POST to a readable singleton is its update (Stripe's `POST /v1/charges/{charge}/dispute` beside its
      // GET), unless the spec names another verb for it (Box's "Upload file version").
      const other = intent.some((w) => isVerb(w) && (SYNONYMS.get(w) ?? w) !== "update");
      const update = !plural && methodsHere.has("get") && !other;
      return update
        ? { resourcePath: statics, methodName: "update", rule: "singleton" }
        : { resourcePath: statics, methodName: "create", rule: "crud" };
    }
    case "put":
    case "patch":
      return plural
        ? { resourcePath: statics, rule: "fallback" }
        : { resourcePath: statics, methodName: "update", rule: "singleton" };
    case "delete":
      return { resourcePath: statics, methodName: "delete", rule: plural ? "crud" : "singleton" };
    default:
      return { resourcePath: statics, rule: "fallback" };
  }
}

/** The verb a word names, relative to the operation: `modify` → update, `add` on a POST → create, `get` → the shape's read verb. */
function mapVerb(word: string, method: string, conventional: string | undefined): string {
  const w = word.toLowerCase();
  if (w === "get") return conventional ?? "retrieve";
  if (HTTP_VERBS.has(w))
    return conventional ?? (method === "post" ? "create" : w === "put" || w === "patch" ? "update" : w);
  if (CREATE_SYNONYMS.has(w) && method === "post") return "create";
  return SYNONYMS.get(w) ?? w;
}

// Verbs an operationId or summary may start with, beyond the action verbs: the word is taken as the method's verb.
const OTHER_VERBS = new Set("create list retrieve update delete get save reorder replace set toggle put".split(" "));
const isVerb = (word: string): boolean => {
  const w = word.toLowerCase();
  return (
    ACTION_VERBS.has(w) ||
    READ_ACTIONS.has(w) ||
    OTHER_VERBS.has(w) ||
    SYNONYMS.has(w) ||
    CREATE_SYNONYMS.has(w) ||
    HTTP_VERBS.has(w)
  );
};

// How plain a name is when the operationId (or the summary) does not give it at all.
const UNREAD = 63;

/** A name to try, and how much of the operationId it leaves out: in a collision, the plainer operation keeps it. */
export interface Candidate {
  name: string;
  /**
   * How much of the operationId the name leaves out (two per word, one more when the verb is not its own), then
   * of the summary, as one number that orders by the first and then the second.
   */
  extra: number;
}

// Longer than this, a "word" is glued text (`Getinputtokencounts`), not a word to name a method by.
const MAX_WORD = 15;

/** Every word the path and resource already say, stemmed: an operationId's copy of them says nothing new. */
function knownWords(path: string, resourcePath: string[]): Set<string> {
  return new Set(
    [...resourcePath, ...rawSegments(path)]
      .flatMap((s) => [...nameWords(s), s.replace(/[^A-Za-z0-9]/g, "")])
      .map((w) => stem(w)),
  );
}

/**
 * The verb of an operationId or summary and the words that qualify it, without the words the path says:
 * `betaGetResponse` on `/responses/{id}` → get, [beta]; `put_files_id#add_shared_link` → add, [shared, link];
 * `createThreadAndRun` on `/threads/runs` → create, [And, Run].
 */
function verbAndRest(source: string[], known: Set<string>, method: string): { verb?: string; rest: string[] } {
  const isKnown = (w: string) => known.has(stem(w));
  // A word the path says is dropped, unless it completes a phrase (`createThreadAndRun`, `post_byId`).
  const unsaid = (ws: string[]) =>
    ws.filter((w, i) => !isKnown(w) || (i > 0 && KEEP_AFTER.has(ws[i - 1].toLowerCase())));
  // A read verb does not name a write (`Bulk Mutate a List of Issues` is a PUT), nor a write verb a read.
  const fits = (w: string) => {
    const v = mapVerb(w, method, undefined);
    return method === "get" ? !["create", "update", "delete"].includes(v) : !["list", "retrieve"].includes(v);
  };
  const at = source.findIndex((w) => !isKnown(w) && isVerb(w) && fits(w));
  const usable = (ws: string[]) => ws.filter((w) => w.length <= MAX_WORD);
  if (at < 0) return { rest: usable(unsaid(source)) };
  let verb = source[at];
  let after = unsaid(source.slice(at + 1)).filter((w) => w.toLowerCase() !== verb.toLowerCase());
  // `put … add_shared_link`: the HTTP method gives way to the verb after it.
  if (
    HTTP_VERBS.has(verb.toLowerCase()) &&
    after.length > 0 &&
    isVerb(after[0]) &&
    !HTTP_VERBS.has(after[0].toLowerCase())
  ) {
    verb = after[0];
    after = after.slice(1);
  }
  const before = unsaid(source.slice(0, at));
  return { verb, rest: usable([...after, ...before]) };
}

/**
 * Names made from the operationId, shortest first: its verb relative to the resource (`postCustomersCustomer`
 * on `/v1/customers/{customer}` → `update`, `saveTracksUser` on `/me/tracks` → `save`, `domains_update_record`
 * → `update`), then that verb with the next two and the next one of the words the path does not already say
 * (`getRepositoriesByOwner` → `retrieveByOwner`); then the same from the summary ("Restore file" → `restore`);
 * last the HTTP method itself (`patch`, beside a PUT that is `update`). Never over MAX_METHOD_WORDS words or
 * MAX_METHOD_LENGTH characters, and never the whole operationId unless it is one verb.
 */
export function fallbackNames(
  op: Pick<ReadOperation, "id" | "idFromSpec" | "method" | "path" | "summary">,
  resourcePath: string[],
  conventional: string | undefined,
): Candidate[] {
  const known = knownWords(op.path, resourcePath);
  const out: (Candidate & { source: "id" | "summary" })[] = [];
  let source: "id" | "summary" = "id";
  const add = (verb: string, own: boolean, rest: string[]) => {
    const penalty = own ? 0 : 1;
    out.push({ name: memberName(lowerCamel(verb)), extra: rest.length * 2 + penalty, source });
    for (const tail of [rest.slice(0, MAX_METHOD_WORDS - 1), rest.slice(0, 1)]) {
      if (tail.length === 0 || FILLER.has(tail[tail.length - 1].toLowerCase())) continue;
      const name = memberName(lowerCamel([verb, ...tail].join(" ")));
      if (name.length <= MAX_METHOD_LENGTH)
        out.push({ name, extra: (rest.length - tail.length) * 2 + penalty, source });
    }
  };
  const fromId = op.idFromSpec ? verbAndRest(nameWords(op.id), known, op.method) : { verb: undefined, rest: [] };
  // A summary names its verb first ("Restore file", "Upload file version"), or none.
  const prose = nameWords(op.summary ?? "").filter((w) => !PROSE.has(w.toLowerCase()));
  const fromSummary =
    prose.length > 0 && isVerb(prose[0]) ? verbAndRest(prose, known, op.method) : { verb: undefined, rest: [] };
  const defaultVerb = conventional ?? mapVerb(op.method, op.method, undefined);
  // An operationId whose verb is only its HTTP method (`post_files_id`) yields to the summary's ("Restore file").
  const summaryFirst =
    (!fromId.verb || HTTP_VERBS.has(fromId.verb.toLowerCase())) && !conventional && fromSummary.verb !== undefined;
  const summary = () => {
    if (!fromSummary.verb) return;
    const verb = mapVerb(fromSummary.verb, op.method, conventional);
    source = "summary";
    add(verb, verb === lowerCamel(fromSummary.verb), fromSummary.rest);
    source = "id";
  };
  if (summaryFirst) summary();
  const idVerb = fromId.verb ? mapVerb(fromId.verb, op.method, conventional) : defaultVerb;
  add(idVerb, fromId.verb !== undefined && idVerb === lowerCamel(fromId.verb), fromId.rest);
  if (!summaryFirst) summary();
  out.push({ name: memberName(op.method.toLowerCase()), extra: UNREAD, source: "id" });
  // One entry per name, where it first comes: as plain as its plainest reading of the operationId, then of the summary.
  const fromIdExtra = new Map<string, number>();
  const fromSummaryExtra = new Map<string, number>();
  for (const c of out) {
    const map = c.source === "summary" ? fromSummaryExtra : fromIdExtra;
    map.set(c.name, Math.min(c.extra, map.get(c.name) ?? Infinity));
  }
  const names = [...new Set(out.map((c) => c.name))];
  return names.map((name) => ({
    name,
    extra:
      Math.min(fromIdExtra.get(name) ?? UNREAD, UNREAD) * (UNREAD + 1) +
      Math.min(fromSummaryExtra.get(name) ?? UNREAD, UNREAD),
  }));
}

/** Drops a segment that repeats the one before it, then keeps the first and the last levels of a deep path. */
function limitDepth(path: string[]): string[] {
  const distinct = path.filter((s, i) => i === 0 || s !== path[i - 1]);
  if (distinct.length <= MAX_RESOURCE_DEPTH) return distinct;
  return [distinct[0], ...distinct.slice(distinct.length - (MAX_RESOURCE_DEPTH - 1))];
}

function extension(raw: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = raw?.[key];
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/** An override's key as errors quote it: JSON-escaped (no control characters), cut to 80 characters with `…`. */
export function quoteOverrideKey(key: string): string {
  return JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
}

const isAfter = (a: SpecLocation, b: SpecLocation) =>
  (a.line ?? 0) > (b.line ?? 0) || ((a.line ?? 0) === (b.line ?? 0) && (a.col ?? 0) > (b.col ?? 0));
const lineOf = (entry: NameOverrideEntry) => (entry.location.line ? ` (line ${entry.location.line})` : "");

function overrideError(entry: NameOverrideEntry, message: string): PipelineError {
  return new PipelineError(`name override ${quoteOverrideKey(entry.key)}: ${message}`, entry.location);
}

const UNSAFE_REASON =
  "a member JavaScript calls implicitly (`then` makes the client a thenable, `toJSON` runs in JSON.stringify) " +
  "or an Object.prototype member";

/** x-sdk-method and x-sdk-resource choose a name as it is: one that would be renamed to stay safe is refused. */
function refuseUnsafe(op: ReadOperation, key: "x-sdk-method" | "x-sdk-resource", segments: string[]): void {
  const bad = segments.find((s) => isUnsafeMember(s.trim()) || isUnsafeMember(camelCase(s)));
  if (bad === undefined) return;
  const name = isUnsafeMember(bad.trim()) ? bad.trim() : camelCase(bad);
  throw new PipelineError(`${key} of ${op.method.toUpperCase()} ${op.path}: "${name}" is ${UNSAFE_REASON}`, {
    pointer: pointer("paths", op.path, op.method, key),
  });
}

interface Placement {
  op: ReadOperation;
  resourcePath: string[];
  /** Names to try, best first; `level` is the one in use. */
  candidates: Candidate[];
  level: number;
  /** Set by x-sdk-method or the override file: never renamed to make room. */
  fixed: boolean;
  rule: NameRule;
  entry?: NameOverrideEntry;
}

/**
 * Settles every operation's resource path, method name, descriptor key and type stem.
 * The name-override file's entries win, then `x-sdk-resource` (dotted) and `x-sdk-method`, then the path's shape.
 */
export function placeOperations(
  ops: ReadOperation[],
  rawOperations: (Record<string, unknown> | undefined)[],
  overrides: NameOverrideEntry[] = [],
): OperationModel[] {
  const facts = readPaths(ops);
  const byEntry = new Map<number, NameOverrideEntry>();
  for (const entry of overrides) {
    const spaced = /^([A-Za-z]+)\s+(\/\S*)$/.exec(entry.key);
    const index = ops.findIndex((op) =>
      spaced
        ? op.method.toLowerCase() === spaced[1].toLowerCase() && op.path === spaced[2]
        : op.idFromSpec && op.id === entry.key,
    );
    if (index < 0)
      throw overrideError(
        entry,
        spaced
          ? "no operation has this method and path"
          : "no operation has this operationId (or write it as METHOD /path)",
      );
    if (byEntry.has(index))
      throw overrideError(entry, `names the same operation as "${(byEntry.get(index) as NameOverrideEntry).key}"`);
    byEntry.set(index, entry);
  }

  const placed: Placement[] = ops.map((op, i) => {
    const entry = byEntry.get(i);
    const unsafe = entry && [...entry.resourcePath, entry.methodName].find(isUnsafeMember);
    if (entry && unsafe !== undefined) throw overrideError(entry, `"${unsafe}" is ${UNSAFE_REASON}`);
    if (entry)
      return {
        op,
        resourcePath: entry.resourcePath,
        candidates: [{ name: entry.methodName, extra: 0 }],
        level: 0,
        fixed: true,
        rule: "override",
        entry,
      };
    const customResource = extension(rawOperations[i], "x-sdk-resource");
    const customMethod = extension(rawOperations[i], "x-sdk-method");
    if (customResource) refuseUnsafe(op, "x-sdk-resource", customResource.split("."));
    if (customMethod) refuseUnsafe(op, "x-sdk-method", [customMethod]);
    const shaped = derive(op, facts, rawOperations[i]);
    // A path segment or action may read `then` or `prototype`: the shape's name gets the same `_` as any other.
    const derived = { ...shaped, methodName: shaped.methodName && safeMember(shaped.methodName) };
    const resourcePath = customResource
      ? customResource.split(".").map((s) => memberName(s, "root"))
      : limitDepth(derived.resourcePath.map((s) => memberName(lowerCamel(spellLeadingNumber(s)), "root")));
    if (customMethod)
      return {
        op,
        resourcePath,
        candidates: [{ name: memberName(customMethod), extra: 0 }],
        level: 0,
        fixed: true,
        rule: "x-sdk",
      };
    const fallbacks = fallbackNames(op, resourcePath, derived.methodName);
    // The shape's own name is as plain as the plainest reading of the operationId or summary that gives it.
    const conventional = derived.methodName && {
      name: derived.methodName,
      extra: Math.min(
        ...fallbacks.filter((c) => c.name === derived.methodName).map((c) => c.extra),
        fallbacks[0].extra,
      ),
    };
    const candidates = conventional
      ? [conventional, ...fallbacks.filter((c) => c.name !== conventional.name)]
      : fallbacks;
    return {
      op,
      resourcePath,
      candidates,
      level: 0,
      fixed: false,
      rule: derived.methodName ? (customResource ? "x-sdk" : derived.rule) : "fallback",
    };
  });

  // Sub-resource names are taken in their parent: a method never shadows one.
  const children = new Map<string, Set<string>>();
  for (const p of placed) {
    for (let d = 0; d < p.resourcePath.length; d++) {
      const parent = p.resourcePath.slice(0, d).join(".");
      if (!children.has(parent)) children.set(parent, new Set());
      (children.get(parent) as Set<string>).add(p.resourcePath[d]);
    }
  }
  const name = (p: Placement) => p.candidates[p.level].name;
  const slot = (p: Placement) => [...p.resourcePath, name(p)].join(".");
  for (const p of placed.filter((x) => x.entry)) {
    const entry = p.entry as NameOverrideEntry;
    if (children.get(p.resourcePath.join("."))?.has(name(p)))
      throw overrideError(entry, `"${slot(p)}" is also a resource (a method cannot take a sub-resource's name)`);
    // Another operation's own name (an override, x-sdk-method, or the name its shape gives it) is never moved to
    // make room: the override would silently rename it.
    const other = placed.find((q) => q !== p && slot(q) === slot(p));
    if (!other) continue;
    if (other.entry) {
      // Two entries under one name: the error points at the later one, the one that repeats the name.
      const [later, earlier] = isAfter(entry.location, other.entry.location) ? [p, other] : [other, p];
      throw overrideError(
        later.entry as NameOverrideEntry,
        `"${slot(p)}" is also the name of override "${(earlier.entry as NameOverrideEntry).key}"${lineOf(earlier.entry as NameOverrideEntry)}`,
      );
    }
    const owner = `${other.op.method.toUpperCase()} ${other.op.path}${other.op.idFromSpec ? ` (${other.op.id})` : ""}`;
    throw overrideError(
      entry,
      other.fixed
        ? `"${slot(p)}" is also the name of ${owner} (x-sdk-method)`
        : `"${slot(p)}" is the name ${owner} already has; override that operation too to give it another name`,
    );
  }

  // A name several operations want goes to the plainest of them (`getFilesId` over `getFilesId#getSharedLink`), or
  // to none when they are equally plain: the others move to their next candidate, until none collide or none has
  // a candidate left. Only then do the rest get 2, 3… in spec order.
  for (;;) {
    const claims = new Map<string, Placement[]>();
    for (const p of placed) claims.set(slot(p), [...(claims.get(slot(p)) ?? []), p]);
    let moved = false;
    for (const [where, group] of claims) {
      const parent = where.slice(0, Math.max(0, where.lastIndexOf(".")));
      const shadows = children.get(parent)?.has(where.slice(where.lastIndexOf(".") + 1)) ?? false;
      if (group.length < 2 && !shadows) continue;
      const fixedHere = group.some((p) => p.fixed);
      const extra = (p: Placement) => p.candidates[p.level].extra;
      const plainest = Math.min(...group.map(extra));
      const tie = group.every((p) => extra(p) === plainest);
      for (const p of group) {
        if (p.fixed || p.level >= p.candidates.length - 1) continue;
        // A derived name yields to a fixed one, to a sub-resource, and to a plainer operation.
        if (fixedHere || shadows || tie || extra(p) > plainest) {
          p.level++;
          if (p.rule !== "x-sdk") p.rule = "fallback";
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  const pools = new Map<string, NamePool>();
  const pool = (p: Placement) => {
    const parent = p.resourcePath.join(".");
    if (!pools.has(parent)) pools.set(parent, new NamePool(children.get(parent) ?? []));
    return pools.get(parent) as NamePool;
  };
  // Fixed names first, so that numbering never moves a name the spec or the override file chose.
  const methodNames = new Map<Placement, string>();
  for (const p of placed.filter((x) => x.fixed)) methodNames.set(p, pool(p).claim(name(p)));
  for (const p of placed.filter((x) => !x.fixed)) methodNames.set(p, pool(p).claim(name(p)));
  // Streaming methods are named last, so adding an itemSchema never renames an existing method.
  const streamNames = placed.map((p) =>
    p.op.eventStream ? pool(p).claim(memberName(`${methodNames.get(p) as string} stream`)) : undefined,
  );

  const keys = new NamePool();
  // `Binary` and `Multipart` would make `BinaryBody` and `MultipartBody`, emitted beside the per-operation types.
  const stems = new NamePool(["Binary", "Multipart"]);
  return placed.map((p, i) => {
    const { op, resourcePath, rule } = p;
    const base = op.idFromSpec ? op.id : `${op.method} ${words(op.path).join(" ")}`;
    const key = keys.claim(camelCase(base) ? memberName(base) : `${op.method}Root`);
    const typeStem = stems.claim(typeName(pascalCase(key) || key));
    const eventStream = op.eventStream && { ...op.eventStream, methodName: streamNames[i] as string };
    const methodName = methodNames.get(p) as string;
    // Every name above passed through memberName/safeMember or a refusal; this keeps a new path from skipping both.
    const unsafe = [...resourcePath, methodName, eventStream?.methodName ?? ""].find(isUnsafeMember);
    if (unsafe !== undefined)
      throw new Error(`internal: ${op.method.toUpperCase()} ${op.path} was named "${unsafe}", ${UNSAFE_REASON}`);
    return { ...op, resourcePath, methodName, key, typeStem, nameRule: rule, ...(eventStream ? { eventStream } : {}) };
  });
}
