import type { CloudSubnet, CreateSubnetInput, ProviderName } from "./types.js";

export type ProviderErrorCode =
  | "THROTTLED" // the cloud kept rate-limiting us until the attempt limit
  | "UNAVAILABLE" // transient server/network errors until the attempt limit
  | "NOT_FOUND"
  | "CONFLICT"
  | "INVALID"
  | "UNMANAGED_RESOURCE" // refused: the resource does not carry CloudPAM's ownership marker
  | "AUTH"
  | "OPERATION_FAILED" // a GCP operation finished with an error
  | "UNKNOWN";

/** Every error a Provider throws. `cause` keeps the SDK error for logs. */
export class ProviderError extends Error {
  override readonly name: string = "ProviderError";
  constructor(
    readonly provider: ProviderName,
    readonly operation: string,
    readonly code: ProviderErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Retries exhausted on throttling or transient errors. `attempts` calls were made. */
export class RetryExhaustedError extends ProviderError {
  override readonly name = "RetryExhaustedError";
  constructor(
    provider: ProviderName,
    operation: string,
    readonly attempts: number,
    readonly throttled: boolean,
    cause: unknown,
  ) {
    super(
      provider,
      operation,
      throttled ? "THROTTLED" : "UNAVAILABLE",
      `${provider} ${operation}: gave up after ${attempts} attempts (${throttled ? "throttled" : "transient errors"}): ${errorMessage(cause)}`,
      { cause },
    );
  }
}

/** deleteSubnet on a subnet that CloudPAM did not create. Never retried, never overridden. */
export class UnmanagedResourceError extends ProviderError {
  override readonly name = "UnmanagedResourceError";
  constructor(
    provider: ProviderName,
    readonly resourceId: string,
  ) {
    super(
      provider,
      "deleteSubnet",
      "UNMANAGED_RESOURCE",
      `${provider}: refusing to delete ${resourceId}: it does not carry CloudPAM's ownership marker`,
    );
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An earlier create for the same allocation must describe the same subnet; otherwise it is a conflict. */
export function assertSameSubnet(existing: CloudSubnet, input: CreateSubnetInput): CloudSubnet {
  const primary = existing.cidrs.find((c) => c.role === "primary")?.cidr;
  if (existing.vpcId !== input.vpcId || primary !== input.cidr) {
    throw new ProviderError(
      existing.provider,
      "createSubnet",
      "CONFLICT",
      `${existing.provider}: allocation ${input.allocationId} is already realised by ${existing.id} (${primary} in ${existing.vpcId})`,
    );
  }
  return existing;
}
