/**
 * What `list()` returns: await it for one page (`{ data, has_more }`), or `for await` it for every item
 * across pages, each next page asked for with `starting_after` = the last id seen. Nothing is sent until
 * it is awaited or iterated, and awaiting then iterating reuses the first page.
 */
export interface Page<T> {
  data: T[];
  has_more: boolean;
}

export class PagePromise<T extends { id: string }> implements Promise<Page<T>>, AsyncIterable<T> {
  readonly [Symbol.toStringTag] = 'PagePromise';
  #first: Promise<Page<T>> | undefined;

  constructor(
    private readonly fetchPage: (startingAfter: string | undefined) => Promise<Page<T>>,
    private readonly startingAfter?: string,
  ) {}

  #firstPage(): Promise<Page<T>> {
    return (this.#first ??= this.fetchPage(this.startingAfter));
  }

  then<A = Page<T>, B = never>(onfulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null, onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.#firstPage().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
    return this.#firstPage().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<T>> {
    return this.#firstPage().finally(onfinally);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let page = await this.#firstPage();
    for (;;) {
      yield* page.data;
      const last = page.data.at(-1);
      if (!page.has_more || !last) return;
      page = await this.fetchPage(last.id);
    }
  }
}
