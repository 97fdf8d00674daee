/** The one error shape of every query limit (depth, aliases, complexity, batch): QUERY_TOO_COMPLEX, HTTP 400. */
import { GraphQLError, type ASTNode } from "graphql";

export const QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX";

export function queryTooComplex(
  message: string,
  details: { limit: string; maximum: number; actual: number },
  nodes?: ASTNode | readonly ASTNode[],
): GraphQLError {
  return new GraphQLError(message, {
    nodes,
    extensions: { code: QUERY_TOO_COMPLEX, details, http: { status: 400 } },
  });
}
