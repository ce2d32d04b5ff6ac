// What a generated list method returns: awaitable to its first page, async-iterable over every item.
// Only this small class loads with the client; the walk across pages loads on first iteration (page-walk.ts).
import type { OperationArgs, OperationDescriptor, OperationInvoker, RequestOptions } from "./types.js";

/**
 * How a list operation pages, read from the spec by the generator (detected, or from `x-pagination`).
 * Property paths are lists of property names, e.g. `["meta", "next_cursor"]`.
 */
export interface PaginationDescriptor {
  /**
   * - `cursor`: the next request sends a cursor from this page (`nextCursor`, or the last item's `itemCursor`).
   * - `page`: the next request sends the page number plus one.
   * - `offset`: the next request sends the offset plus the number of items on this page.
   */
  readonly style: "cursor" | "page" | "offset";
  /** The query parameter that carries the cursor, page number or offset, e.g. `cursor`, `starting_after`, `page`. */
  readonly param: string;
  /** Where a page body keeps its items, e.g. `["data"]`; empty when the body is the array itself. */
  readonly items: readonly string[];
  /** cursor: where a page body gives the next cursor, e.g. `["meta", "next_cursor"]`. */
  readonly nextCursor?: readonly string[];
  /** cursor: the next cursor is this property of the page's last item (Stripe's `starting_after` = last `id`). */
  readonly itemCursor?: string;
  /** A boolean in the page body that is false on the last page, e.g. `["has_more"]`. */
  readonly hasMore?: readonly string[];
  /** page: the number of the first page when the request names none. Default 1. */
  readonly firstPage?: number;
}

declare module "./errors.js" {
  // type-only: the page walk (page-walk.ts) sets these on whatever error ends it
  interface SDKError {
    /**
     * Set on any error thrown while walking a list (`for await` or `.pages()`): the page the walk stopped at,
     * counting the caller's first page as 1: the page whose request failed or whose body could not be walked,
     * or, when a cursor repeated or `maxPages` was reached, the next page, which was not sent.
     */
    page?: number;
    /**
     * Set with `page`: the full query that page was (or would have been) requested with, e.g.
     * `{ limit: 20, cursor: "c3" }`. Resume with the same list method and `{ query: error.pageQuery }`.
     */
    pageQuery?: Record<string, unknown>;
  }
}

/** One page request: the operation, its arguments as the caller gave them, the per-call options. */
export interface PageRequest {
  readonly invoker: OperationInvoker;
  readonly operation: OperationDescriptor;
  readonly args: OperationArgs;
  readonly options: RequestOptions | undefined;
  readonly pagination: PaginationDescriptor;
}

/**
 * The result of a paginated list method.
 *
 * - `await list()` resolves with the first page's body, exactly as a non-paginated method would (`.then`,
 *   `.catch` and `.finally` work as on a promise).
 * - `for await (const item of list())` walks every item of every page, fetching each page only when the
 *   previous one is used up.
 * - `for await (const page of list().pages())` yields whole page bodies.
 *
 * Every page request goes through the client's runtime with the call's options (retries, per-attempt timeout,
 * abort signal, headers). The walk ends at a page with no next cursor (absent, `null` or `""`), an empty page,
 * or a `hasMore` of false. It ends with a `PaginationError` instead of looping when the server:
 * - hands back a cursor (page number, offset) sent for one of the last 1,024 pages;
 * - page and offset styles: answers with the same items as one of the last 16 pages (compared by item count and
 *   a 53-bit hash of the items' JSON), as a server that ignores the parameter does;
 * - gives a next cursor that is not a string or finite number (an object, array or boolean).
 * Memory stays bounded: only those last 1,024 cursors and 16 fingerprints are kept.
 *
 * There is no page cap by default: a server that keeps inventing new cursors over changing items is followed
 * for as long as the loop asks for more, so a loop that collects everything should set the call option
 * `maxPages` (see `RequestOptions`); reaching it with more to come is a `PaginationError`, never a silent cut.
 * A caller's starting page number or offset that is not a whole number ≥ 0 is a `ValidationError` (field
 * `query.<param>`) before the walk sends anything.
 *
 * Any error thrown during a walk (`APIError`s, `MalformedResponseError`, `APIConnectionError`,
 * `APIUserAbortError`, `PaginationError`) carries `page` (1 = the caller's first page) and `pageQuery` (that
 * page's full query): call the list method again with `{ query: error.pageQuery }` to resume there.
 *
 * The first request is sent when the result is first awaited or iterated, once: awaiting it again, or
 * iterating after awaiting, reuses that first page.
 */
export interface PagePromise<Page, Item> extends PromiseLike<Page>, AsyncIterable<Item, void, undefined> {
  then<A = Page, B = never>(
    onfulfilled?: ((page: Page) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B>;
  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page | B>;
  finally(onfinally?: (() => void) | null): Promise<Page>;
  /** Every page body in order, the first one included; each next page is requested when the loop asks for it. */
  pages(): AsyncGenerator<Page, void, undefined>;
  /** Every item of every page in order; breaking out of the loop stops further requests. */
  [Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined>;
}

/** What a generated list method returns: see `PagePromise`. */
export function paginate<Page, Item>(
  invoker: OperationInvoker,
  operation: OperationDescriptor,
  args: OperationArgs,
  options: RequestOptions | undefined,
  pagination: PaginationDescriptor,
): PagePromise<Page, Item> {
  let first: Promise<Page> | undefined;
  const firstPage = () => (first ??= invoker.invoke<Page>(operation, args, options));
  // the walk loads on first iteration, so clients that never iterate carry only this function
  async function* walk<T>(items: boolean): AsyncGenerator<T, void, undefined> {
    const pages = await import("./page-walk.js");
    yield* pages.walk<T>(firstPage, { invoker, operation, args, options, pagination }, items);
  }
  return {
    then: (onfulfilled, onrejected) => firstPage().then(onfulfilled, onrejected),
    catch: (onrejected) => firstPage().catch(onrejected),
    finally: (onfinally) => firstPage().finally(onfinally),
    pages: () => walk<Page>(false),
    [Symbol.asyncIterator]: () => walk<Item>(true),
  };
}
