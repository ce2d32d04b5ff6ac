// What a generated list method returns: awaitable to its first page, async-iterable over every item.
// Only this small class loads with the client; the walk across pages loads on first iteration (page-walk.ts).
import { FloraError } from "./errors.js";
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
  /** The query parameter of the page size, e.g. `limit` or `per_page`, when the operation has one. */
  readonly limitParam?: string;
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

/** A list whose pages cannot be walked safely: a cursor (or page) came back twice, or a page has no items array. */
export class PaginationError extends FloraError {
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
 * - `await list()` resolves with the first page's body, exactly as a non-paginated method would.
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
export class PagePromise<Page, Item> implements PromiseLike<Page>, AsyncIterable<Item> {
  readonly #request: PageRequest;
  #first: Promise<Page> | undefined;

  constructor(request: PageRequest) {
    this.#request = request;
  }

  /** The first page's body, requested on first use. */
  #firstPage(): Promise<Page> {
    const { invoker, operation, args, options } = this.#request;
    return (this.#first ??= invoker.invoke<Page>(operation, args, options));
  }

  then<A = Page, B = never>(
    onfulfilled?: ((page: Page) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#firstPage().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page | B> {
    return this.#firstPage().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page> {
    return this.#firstPage().finally(onfinally);
  }

  /** Every page body in order, the first one included; each next page is requested when the loop asks for it. */
  async *pages(): AsyncGenerator<Page, void, undefined> {
    const { walkPages } = await import("./page-walk.js");
    yield* walkPages<Page>(() => this.#firstPage(), this.#request);
  }

  /** Every item of every page in order; breaking out of the loop stops further requests. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    const { pageItems } = await import("./page-walk.js");
    for await (const page of this.pages()) yield* pageItems<Item>(page, this.#request);
  }
}

/** What a generated list method returns: see `PagePromise`. */
export function paginate<Page, Item>(
  invoker: OperationInvoker,
  operation: OperationDescriptor,
  args: OperationArgs,
  options: RequestOptions | undefined,
  pagination: PaginationDescriptor,
): PagePromise<Page, Item> {
  return new PagePromise<Page, Item>({ invoker, operation, args, options, pagination });
}
