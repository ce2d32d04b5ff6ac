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
 * abort signal, headers). The walk ends at a page with no next cursor, an empty page, or a `hasMore` of false;
 * a server that hands back a cursor it gave before (or the same page for the next page number or offset) ends
 * it with a `PaginationError` instead of looping forever. The first request is sent when the result is first
 * awaited or iterated, once: awaiting it again, or iterating after awaiting, reuses that first page.
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
