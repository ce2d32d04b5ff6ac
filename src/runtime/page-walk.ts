// The walk across pages of a list operation, loaded on first iteration of a PagePromise.
import { SDKError } from "./errors.js";
import type { PageRequest } from "./pagination.js";

/** A list whose pages cannot be walked safely: a cursor (or page) came back twice, or a page has no items array. */
export class PaginationError extends SDKError {
  override name = "PaginationError";
  /** operationId of the list operation. */
  declare readonly operationId: string;
  /** The query the next page would have been asked for with, e.g. `{ cursor: "c2" }`, when a value repeated. */
  declare readonly query: Record<string, unknown> | undefined;

  constructor(message: string, operationId: string, query?: Record<string, unknown>) {
    super(message);
    this.operationId = operationId;
    this.query = query;
  }
}

function at(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const where = (path: readonly string[]) => (path.length ? `\`${path.join(".")}\`` : "the body");

/** The items of one page body; a body without an array there is a PaginationError. */
function pageItems<Item>(page: unknown, { operation, pagination }: PageRequest): Item[] {
  const items = at(page, pagination.items);
  if (!Array.isArray(items))
    throw new PaginationError(
      `${operation.id}: a page has no array at ${where(pagination.items)}, so its items cannot be walked.`,
      operation.id,
    );
  return items as Item[];
}

/**
 * Yields the first page, then each next one as the consumer asks for it, until a page has no next cursor, is
 * empty, or says `hasMore: false`. Each request is the caller's own, with only the pagination parameter changed.
 */
async function* walkPages<Page>(first: () => Promise<Page>, request: PageRequest): AsyncGenerator<Page> {
  const { invoker, operation, args, options, pagination } = request;
  const { style, param } = pagination;
  const query: Record<string, unknown> = { ...args.query };
  const sent = new Set<string>();
  if (query[param] !== undefined) sent.add(String(query[param]));
  let previous: string | undefined;
  let page = await first();
  for (;;) {
    yield page;
    const items = pageItems<unknown>(page, request);
    if (items.length === 0) return;
    if (pagination.hasMore && at(page, pagination.hasMore) === false) return;
    let next: unknown;
    if (style === "cursor") {
      next = pagination.nextCursor
        ? at(page, pagination.nextCursor)
        : pagination.itemCursor
          ? at(items[items.length - 1], [pagination.itemCursor])
          : undefined;
      if (next === undefined || next === null || next === "") return;
    } else {
      // a server that ignores the page or offset parameter answers the same page again: stop, never loop
      const seen = JSON.stringify(items);
      if (seen === previous)
        throw repeated(
          operation.id,
          `answered ${param}=${JSON.stringify(query[param])} with the same items as the page before (does it read \`${param}\`?)`,
          query,
        );
      previous = seen;
      next =
        style === "page"
          ? Number(query[param] ?? pagination.firstPage ?? 1) + 1
          : Number(query[param] ?? 0) + items.length;
    }
    if (sent.has(String(next)))
      throw repeated(operation.id, `gave ${param}=${JSON.stringify(next)} a second time`, { ...query, [param]: next });
    sent.add(String(next));
    query[param] = next;
    page = await invoker.invoke<Page>(operation, { ...args, query: { ...query } }, options);
  }
}

function repeated(id: string, what: string, query: Record<string, unknown>) {
  return new PaginationError(
    `${id}: the server ${what}; stopping rather than fetching the same pages forever.`,
    id,
    query,
  );
}

/** The pages of a list (`items` false), or the items of every page (`items` true), as `PagePromise` yields them. */
export async function* walk<T>(first: () => Promise<unknown>, request: PageRequest, items: boolean): AsyncGenerator<T> {
  for await (const page of walkPages(first, request)) {
    if (items) yield* pageItems<T>(page, request);
    else yield page as T;
  }
}
