// The walk across pages of a list operation, loaded on first iteration of a PagePromise.
import { SDKError, ValidationError } from "./errors.js";
import type { PageRequest } from "./pagination.js";

/**
 * A list whose pages cannot be walked safely: a cursor (or page) came back again, a page has no items array, a
 * next cursor is not a string or number, or the walk reached `maxPages`. Like every error thrown mid-walk it
 * carries `page` and `pageQuery` (see `SDKError`).
 */
export class PaginationError extends SDKError {
  override name = "PaginationError";
  /** operationId of the list operation. */
  declare readonly operationId: string;
  /**
   * The query the next page would have been asked for with, e.g. `{ cursor: "c2" }`, when the walk stopped
   * before sending it: a value repeated, or `maxPages` was reached. Otherwise undefined.
   */
  declare readonly query: Record<string, unknown> | undefined;

  constructor(message: string, operationId: string, query?: Record<string, unknown>) {
    super(message);
    this.operationId = operationId;
    this.query = query;
  }
}

/** How many cursors (or page numbers, offsets) a walk remembers to spot a repeat: the last 1,024 it sent. */
const SENT_WINDOW = 1024;
/** How many page fingerprints a page or offset walk remembers to spot a server that ignores the parameter. */
const PAGE_WINDOW = 16;

function at(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const where = (path: readonly string[]) => (path.length ? `\`${path.join(".")}\`` : "the body");

/** A value for a message: its kind and up to 60 characters of its JSON. */
function shown(value: unknown): string {
  const kind = Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  text ??= String(value);
  // never cut, so a secret in it stays whole for the redaction every error passes
  return `${kind} (${text.length > 200 ? `${text.length} characters of JSON` : text})`;
}

/** Marks an error thrown mid-walk with the page it happened at, so the caller can resume there. */
function stamp<E>(error: E, page: number, query: Record<string, unknown>): E {
  if (error instanceof SDKError && error.page === undefined) {
    error.page = page;
    error.pageQuery = { ...query };
  }
  return error;
}

/** Remembers `key` in a map that keeps only its newest `cap` entries, so a long walk's memory stays bounded. */
function remember<V>(map: Map<string, V>, key: string, value: V, cap: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > cap) map.delete(map.keys().next().value as string);
}

/** Item count plus a 53-bit hash of the items' JSON: equal pages give equal fingerprints, others almost never. */
function fingerprint(items: unknown[]): string {
  const text = JSON.stringify(items);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${items.length}:${(h2 >>> 0) & 0x1fffff}:${h1 >>> 0}`;
}

/** `maxPages` from the call's options: a whole number ≥ 1, or Infinity (the default). */
function maxPagesOf({ operation, options }: PageRequest): number {
  const max = options?.maxPages;
  if (max === undefined || max === Infinity) return Infinity;
  if (typeof max !== "number" || !Number.isSafeInteger(max) || max < 1)
    throw new ValidationError(
      `${operation.id}: options.maxPages must be a whole number of at least 1, or Infinity; got ${shown(max)}.`,
      "maxPages",
    );
  return max;
}

/**
 * Yields the first page, then each next one as the consumer asks for it, until a page has no next cursor, is
 * empty, or says `hasMore: false`. Each request is the caller's own, with only the pagination parameter changed.
 * Yields each page with its items; an error at page `n` carries `page: n` and that page's query.
 */
async function* walkPages<Page>(
  first: () => Promise<Page>,
  request: PageRequest,
): AsyncGenerator<{ page: Page; items: unknown[] }> {
  const { invoker, operation, args, options, pagination } = request;
  const { style, param } = pagination;
  const id = operation.id;
  const maxPages = maxPagesOf(request);
  let query: Record<string, unknown> = { ...args.query };
  const start = query[param];
  // cursor, page number or offset as sent → the page it was sent for; only the newest SENT_WINDOW are kept
  const sent = new Map<string, number>();
  if (style === "cursor") {
    if (typeof start === "string" || typeof start === "number") sent.set(String(start), 1);
  } else if (start !== undefined && start !== null) {
    // the walk adds to the caller's page number or offset, so it must be a whole number
    if (
      !(typeof start === "number" ? Number.isSafeInteger(start) : typeof start === "string" && /^\d+$/.test(start)) ||
      Number(start) < 0
    )
      throw new ValidationError(
        `${id}: query.${param} must be a whole number of at least 0 to walk the ${style === "page" ? "pages" : "items"} after it; got ${shown(start)}.`,
        `query.${param}`,
      );
    sent.set(String(Number(start)), 1);
  }
  // page and offset walks: fingerprint of a recent page → its number (only the newest PAGE_WINDOW are kept)
  const prints = new Map<string, number>();
  let n = 1;
  let page: Page;
  let send = first;
  for (;;) {
    let items: unknown[];
    try {
      page = await send();
      items = pageItems(page, request);
    } catch (error) {
      throw stamp(error, n, query);
    }
    yield { page, items };
    if (items.length === 0) return;
    if (pagination.hasMore && at(page, pagination.hasMore) === false) return;
    let next: unknown;
    if (style === "cursor") {
      const field = pagination.nextCursor
        ? where(pagination.nextCursor)
        : `the last item's \`${pagination.itemCursor}\``;
      next = pagination.nextCursor
        ? at(page, pagination.nextCursor)
        : pagination.itemCursor
          ? at(items[items.length - 1], [pagination.itemCursor])
          : undefined;
      // no cursor, null or "" (Kubernetes' `continue: ""`) is the last page
      if (next === undefined || next === null || next === "") return;
      if (!(typeof next === "string" || (typeof next === "number" && Number.isFinite(next))))
        throw stamp(
          new PaginationError(
            `${id}: page ${n} gave ${field} as ${shown(next)}, not a string or number, so it cannot be sent as \`${param}\` for the next page.`,
            id,
          ),
          n,
          query,
        );
    } else {
      // a server that ignores the page or offset parameter answers a page it gave before: stop, never loop
      const print = fingerprint(items);
      const earlier = prints.get(print);
      if (earlier !== undefined)
        throw stamp(
          repeated(
            id,
            `answered page ${n} (${param}=${JSON.stringify(query[param] ?? null)}) with the same items as page ${earlier} (does it read \`${param}\`?)`,
          ),
          n,
          query,
        );
      remember(prints, print, n, PAGE_WINDOW);
      next =
        style === "page"
          ? Number(query[param] ?? pagination.firstPage ?? 1) + 1
          : Number(query[param] ?? 0) + items.length;
    }
    const nextQuery = { ...query, [param]: next };
    const key = String(next);
    const earlier = sent.get(key);
    if (earlier !== undefined)
      throw stamp(
        repeated(
          id,
          `gave ${param}=${JSON.stringify(next)} on page ${n}, already sent to ask for page ${earlier}`,
          nextQuery,
        ),
        n + 1,
        nextQuery,
      );
    if (n >= maxPages)
      throw stamp(
        new PaginationError(
          `${id}: stopped after ${maxPages} page${maxPages === 1 ? "" : "s"} (options.maxPages) with more to come; call again with \`{ query: error.pageQuery }\` to go on.`,
          id,
          nextQuery,
        ),
        n + 1,
        nextQuery,
      );
    remember(sent, key, n + 1, SENT_WINDOW);
    query = nextQuery;
    n++;
    send = () => invoker.invoke<Page>(operation, { ...args, query: { ...nextQuery } }, options);
  }
}

/** The items of one page body; a body without an array there is a PaginationError. */
function pageItems(page: unknown, { operation, pagination }: PageRequest): unknown[] {
  const items = at(page, pagination.items);
  if (!Array.isArray(items))
    throw new PaginationError(
      `${operation.id}: a page has no array at ${where(pagination.items)}, so its items cannot be walked.`,
      operation.id,
    );
  return items;
}

function repeated(id: string, what: string, query?: Record<string, unknown>) {
  return new PaginationError(
    `${id}: the server ${what}; stopping rather than fetching the same pages forever.`,
    id,
    query,
  );
}

/** The pages of a list (`items` false), or the items of every page (`items` true), as `PagePromise` yields them. */
export async function* walk<T>(first: () => Promise<unknown>, request: PageRequest, items: boolean): AsyncGenerator<T> {
  for await (const step of walkPages(first, request)) {
    if (items) yield* step.items as T[];
    else yield step.page as T;
  }
}
