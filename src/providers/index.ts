export * from "./types.js";
export * from "./errors.js";
export {
  CallGate,
  DEFAULT_CONCURRENCY,
  DEFAULT_RETRY_POLICY,
  fullJitterDelay,
  type ErrorClass,
  type RetryPolicy,
} from "./retry.js";
export { AwsProvider, classifyAwsError, mapAwsSubnet, mapAwsVpc, type AwsProviderOptions } from "./aws.js";
export {
  GcpProvider,
  classifyGcpError,
  mapGcpNetwork,
  mapGcpSubnetwork,
  ownershipDescription,
  parseDescriptionTags,
  requestIdFor,
  resourcePath,
  type GcpProviderOptions,
} from "./gcp.js";
