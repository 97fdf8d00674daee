/** Relay cursor connections: PageInfo and a factory for `XConnection`/`XEdge` types. */
import { Field, Int, ObjectType, ArgsType, registerEnumType, type ClassType } from "type-graphql";
import type { Page } from "../db/pagination.js";
import { withArticle } from "../errors.js";

/** Direction of every ordered list (`orderBy: { field, direction }`). */
export enum SortDirection {
  ASC = "ASC",
  DESC = "DESC",
}
registerEnumType(SortDirection, {
  name: "SortDirection",
  description: "Sort direction of a list.",
  valuesConfig: { ASC: { description: "Ascending." }, DESC: { description: "Descending." } },
});

@ObjectType({ description: "Relay page information for cursor pagination." })
export class PageInfo {
  @Field(() => Boolean, { description: "Whether more items follow the last edge." })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: "Whether items precede the first edge." })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first edge." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge." })
  endCursor!: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: "Return the first N items after `after` (default 50)." })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "Cursor: return items after this one." })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: "Return the last N items before `before`." })
  last?: number | null;

  @Field(() => String, { nullable: true, description: "Cursor: return items before this one." })
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /** Resolved lazily: the count query runs only when a client asks for it. */
  totalCount: number | Promise<number>;
}

/** Declares `${name}Connection` and `${name}Edge` for a node type. */
export function ConnectionType<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`, { description: `An edge of ${withArticle(name)} connection.` })
  class EdgeType {
    @Field(() => String, { description: "Opaque cursor of this edge." })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay cursor connection).` })
  class ConnectionTypeClass {
    @Field(() => [EdgeType], { description: "The edges of this page." })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: "Page information." })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: "Number of items matching the filter, across all pages." })
    totalCount!: number;
  }
  return ConnectionTypeClass;
}

/** Builds a connection from a page; `count` runs only if `totalCount` is selected. */
export function toConnection<R, T>(
  page: Page<R>,
  map: (row: R) => T,
  count: () => Promise<number>,
): Connection<T> {
  const edges = page.items.map((row, i) => ({ cursor: page.cursors[i]!, node: map(row) }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    },
    get totalCount() {
      return (counted ??= count());
    },
  };
}
