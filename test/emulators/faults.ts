/** Fault injection and call log shared by the EC2 and Compute emulators. */

export interface Fault {
  /** Only calls of this action (EC2 `DescribeSubnets`, Compute `subnetworks.insert`, ...); any when unset. */
  action?: string;
  /** How many matching calls fail (default 1). */
  count?: number;
  /** HTTP status of the error answer. */
  status: number;
  /** EC2 error Code, or Compute `errors[0].reason`. */
  code: string;
  message?: string;
  /** Apply the call's effect first, then answer with the error (a lost answer). */
  afterApply?: boolean;
}

export interface CallRecord {
  action: string;
  /** EC2: region from the credential scope; Compute: region in the path, "global" or "aggregated". */
  region: string;
  status: number;
  /** Error code when the call failed. */
  error?: string;
  at: number;
}

export class FaultBook {
  private faults: (Fault & { count: number })[] = [];
  readonly log: CallRecord[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault, count: fault.count ?? 1 });
  }

  /** Takes the first pending fault that matches `action`, if any. */
  take(action: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.count > 0 && (f.action === undefined || f.action === action));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    f.count--;
    if (f.count === 0) this.faults.splice(i, 1);
    return f;
  }

  clearFaults(): void {
    this.faults = [];
  }

  record(rec: Omit<CallRecord, "at">): void {
    this.log.push({ ...rec, at: Date.now() });
  }

  /** Calls per action, e.g. `{ DescribeSubnets: 12, CreateSubnet: 1 }`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.log) out[r.action] = (out[r.action] ?? 0) + 1;
    return out;
  }

  /** Calls of one action (optionally only failed ones with this error code). */
  count(action: string, error?: string): number {
    return this.log.filter((r) => r.action === action && (error === undefined || r.error === error)).length;
  }

  resetLog(): void {
    this.log.length = 0;
  }
}

/** Reads a whole request body. */
export async function readBody(req: import("node:http").IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Opaque page token: base64url of the offset. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

export function decodeToken(token: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown };
    return typeof v.o === "number" && Number.isInteger(v.o) && v.o >= 0 ? v.o : undefined;
  } catch {
    return undefined;
  }
}

/** AWS-style filter value matching: `*` and `?` wildcards. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".") +
      "$",
  );
  return re.test(value);
}
