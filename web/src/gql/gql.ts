/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreatePool($input: CreatePoolInput!) {\n    createPool(input: $input) {\n      pool {\n        id\n        name\n        cidr\n        parent {\n          id\n        }\n      }\n    }\n  }\n": typeof types.CreatePoolDocument,
    "\n  mutation CreateScope($input: CreateScopeInput!) {\n    createScope(input: $input) {\n      scope {\n        id\n        name\n      }\n    }\n  }\n": typeof types.CreateScopeDocument,
    "\n  query PoolPage($id: ID!) {\n    pool(id: $id) {\n      id\n      name\n      cidr\n      family\n      prefixLength\n      status\n      description\n      scope {\n        id\n        name\n      }\n      path {\n        id\n        name\n        cidr\n      }\n      account {\n        id\n        name\n        key\n      }\n      rules {\n        minChildPrefixLength\n        maxChildPrefixLength\n        defaultChildPrefixLength\n        allowedTiers\n      }\n      utilization {\n        percent\n        total\n        used\n        free\n        reserved\n        largestFree\n        freeBlocksByLength {\n          prefixLength\n          count\n        }\n      }\n      children(first: 100) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            cidr\n            utilization {\n              percent\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.PoolPageDocument,
    "\n  query Scopes {\n    scopes(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          isDefault\n          description\n        }\n      }\n    }\n  }\n": typeof types.ScopesDocument,
    "\n  fragment PoolNodeFields on Pool {\n    id\n    name\n    cidr\n    status\n    account {\n      id\n      name\n    }\n    utilization {\n      percent\n    }\n    children(first: 0) {\n      totalCount\n    }\n  }\n": typeof types.PoolNodeFieldsFragmentDoc,
    "\n  query RootPools($scopeId: ID!) {\n    pools(first: 200, filter: { scopeId: $scopeId, rootsOnly: true }) {\n      totalCount\n      edges {\n        node {\n          ...PoolNodeFields\n        }\n      }\n    }\n  }\n": typeof types.RootPoolsDocument,
    "\n  query ChildPools($id: ID!) {\n    pool(id: $id) {\n      id\n      children(first: 200) {\n        totalCount\n        edges {\n          node {\n            ...PoolNodeFields\n          }\n        }\n      }\n    }\n  }\n": typeof types.ChildPoolsDocument,
    "\n  query SearchPools($search: String!) {\n    pools(first: 50, filter: { search: $search }) {\n      totalCount\n      edges {\n        node {\n          ...PoolNodeFields\n          scope {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.SearchPoolsDocument,
    "\n  query LookupAddress($address: IPAddress!) {\n    lookup(address: $address) {\n      scope {\n        id\n        name\n      }\n      chain {\n        id\n        cidr\n        kind\n        name\n        status\n        pool {\n          id\n        }\n      }\n    }\n  }\n": typeof types.LookupAddressDocument,
};
const documents: Documents = {
    "\n  mutation CreatePool($input: CreatePoolInput!) {\n    createPool(input: $input) {\n      pool {\n        id\n        name\n        cidr\n        parent {\n          id\n        }\n      }\n    }\n  }\n": types.CreatePoolDocument,
    "\n  mutation CreateScope($input: CreateScopeInput!) {\n    createScope(input: $input) {\n      scope {\n        id\n        name\n      }\n    }\n  }\n": types.CreateScopeDocument,
    "\n  query PoolPage($id: ID!) {\n    pool(id: $id) {\n      id\n      name\n      cidr\n      family\n      prefixLength\n      status\n      description\n      scope {\n        id\n        name\n      }\n      path {\n        id\n        name\n        cidr\n      }\n      account {\n        id\n        name\n        key\n      }\n      rules {\n        minChildPrefixLength\n        maxChildPrefixLength\n        defaultChildPrefixLength\n        allowedTiers\n      }\n      utilization {\n        percent\n        total\n        used\n        free\n        reserved\n        largestFree\n        freeBlocksByLength {\n          prefixLength\n          count\n        }\n      }\n      children(first: 100) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            cidr\n            utilization {\n              percent\n            }\n          }\n        }\n      }\n    }\n  }\n": types.PoolPageDocument,
    "\n  query Scopes {\n    scopes(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          isDefault\n          description\n        }\n      }\n    }\n  }\n": types.ScopesDocument,
    "\n  fragment PoolNodeFields on Pool {\n    id\n    name\n    cidr\n    status\n    account {\n      id\n      name\n    }\n    utilization {\n      percent\n    }\n    children(first: 0) {\n      totalCount\n    }\n  }\n": types.PoolNodeFieldsFragmentDoc,
    "\n  query RootPools($scopeId: ID!) {\n    pools(first: 200, filter: { scopeId: $scopeId, rootsOnly: true }) {\n      totalCount\n      edges {\n        node {\n          ...PoolNodeFields\n        }\n      }\n    }\n  }\n": types.RootPoolsDocument,
    "\n  query ChildPools($id: ID!) {\n    pool(id: $id) {\n      id\n      children(first: 200) {\n        totalCount\n        edges {\n          node {\n            ...PoolNodeFields\n          }\n        }\n      }\n    }\n  }\n": types.ChildPoolsDocument,
    "\n  query SearchPools($search: String!) {\n    pools(first: 50, filter: { search: $search }) {\n      totalCount\n      edges {\n        node {\n          ...PoolNodeFields\n          scope {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": types.SearchPoolsDocument,
    "\n  query LookupAddress($address: IPAddress!) {\n    lookup(address: $address) {\n      scope {\n        id\n        name\n      }\n      chain {\n        id\n        cidr\n        kind\n        name\n        status\n        pool {\n          id\n        }\n      }\n    }\n  }\n": types.LookupAddressDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePool($input: CreatePoolInput!) {\n    createPool(input: $input) {\n      pool {\n        id\n        name\n        cidr\n        parent {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePool($input: CreatePoolInput!) {\n    createPool(input: $input) {\n      pool {\n        id\n        name\n        cidr\n        parent {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateScope($input: CreateScopeInput!) {\n    createScope(input: $input) {\n      scope {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateScope($input: CreateScopeInput!) {\n    createScope(input: $input) {\n      scope {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PoolPage($id: ID!) {\n    pool(id: $id) {\n      id\n      name\n      cidr\n      family\n      prefixLength\n      status\n      description\n      scope {\n        id\n        name\n      }\n      path {\n        id\n        name\n        cidr\n      }\n      account {\n        id\n        name\n        key\n      }\n      rules {\n        minChildPrefixLength\n        maxChildPrefixLength\n        defaultChildPrefixLength\n        allowedTiers\n      }\n      utilization {\n        percent\n        total\n        used\n        free\n        reserved\n        largestFree\n        freeBlocksByLength {\n          prefixLength\n          count\n        }\n      }\n      children(first: 100) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            cidr\n            utilization {\n              percent\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PoolPage($id: ID!) {\n    pool(id: $id) {\n      id\n      name\n      cidr\n      family\n      prefixLength\n      status\n      description\n      scope {\n        id\n        name\n      }\n      path {\n        id\n        name\n        cidr\n      }\n      account {\n        id\n        name\n        key\n      }\n      rules {\n        minChildPrefixLength\n        maxChildPrefixLength\n        defaultChildPrefixLength\n        allowedTiers\n      }\n      utilization {\n        percent\n        total\n        used\n        free\n        reserved\n        largestFree\n        freeBlocksByLength {\n          prefixLength\n          count\n        }\n      }\n      children(first: 100) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            cidr\n            utilization {\n              percent\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Scopes {\n    scopes(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          isDefault\n          description\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Scopes {\n    scopes(first: 100) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          isDefault\n          description\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PoolNodeFields on Pool {\n    id\n    name\n    cidr\n    status\n    account {\n      id\n      name\n    }\n    utilization {\n      percent\n    }\n    children(first: 0) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  fragment PoolNodeFields on Pool {\n    id\n    name\n    cidr\n    status\n    account {\n      id\n      name\n    }\n    utilization {\n      percent\n    }\n    children(first: 0) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RootPools($scopeId: ID!) {\n    pools(first: 200, filter: { scopeId: $scopeId, rootsOnly: true }) {\n      totalCount\n      edges {\n        node {\n          ...PoolNodeFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RootPools($scopeId: ID!) {\n    pools(first: 200, filter: { scopeId: $scopeId, rootsOnly: true }) {\n      totalCount\n      edges {\n        node {\n          ...PoolNodeFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ChildPools($id: ID!) {\n    pool(id: $id) {\n      id\n      children(first: 200) {\n        totalCount\n        edges {\n          node {\n            ...PoolNodeFields\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ChildPools($id: ID!) {\n    pool(id: $id) {\n      id\n      children(first: 200) {\n        totalCount\n        edges {\n          node {\n            ...PoolNodeFields\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchPools($search: String!) {\n    pools(first: 50, filter: { search: $search }) {\n      totalCount\n      edges {\n        node {\n          ...PoolNodeFields\n          scope {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SearchPools($search: String!) {\n    pools(first: 50, filter: { search: $search }) {\n      totalCount\n      edges {\n        node {\n          ...PoolNodeFields\n          scope {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LookupAddress($address: IPAddress!) {\n    lookup(address: $address) {\n      scope {\n        id\n        name\n      }\n      chain {\n        id\n        cidr\n        kind\n        name\n        status\n        pool {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query LookupAddress($address: IPAddress!) {\n    lookup(address: $address) {\n      scope {\n        id\n        name\n      }\n      chain {\n        id\n        cidr\n        kind\n        name\n        status\n        pool {\n          id\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;