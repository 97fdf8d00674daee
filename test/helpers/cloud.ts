/**
 * Cloud test helpers: a fixed-token Compute auth client, and wiring of a test server's provider factory
 * to the loopback EC2 / Compute emulators (the real SDK clients, pointed at 127.0.0.1).
 */
import { OAuth2Client } from "google-auth-library";
import type { ProviderOverrides } from "../../src/reconcile/provider-factory.js";
import { EC2_TEST_CREDENTIALS, type Ec2Emulator } from "../emulators/ec2-emulator.js";
import type { ComputeEmulator } from "../emulators/compute-emulator.js";
import type { TestServer } from "./server.js";

/** An OAuth2Client with a fixed token: no metadata server, no ADC lookup. */
export function computeTestAuthClient(): OAuth2Client {
  const c = new OAuth2Client();
  c.setCredentials({ access_token: "test", expiry_date: Date.now() + 3600e3 });
  return c;
}

/** Fast retries so throttling tests do not wait for production backoff. */
export const FAST_RETRY = { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 10 };

/** Points every provider the server builds at these emulators. */
export function useEmulators(s: TestServer, emulators: { ec2?: Ec2Emulator; gce?: ComputeEmulator }): void {
  const overrides: ProviderOverrides = {};
  if (emulators.ec2)
    overrides.aws = {
      endpoint: emulators.ec2.url,
      credentials: EC2_TEST_CREDENTIALS,
      retry: FAST_RETRY,
      pageSize: 5,
    };
  if (emulators.gce)
    overrides.gcp = {
      ...emulators.gce.clientOptions,
      authClient: computeTestAuthClient(),
      retry: FAST_RETRY,
      pageSize: 5,
    };
  s.app.services.reconcile.providerOverrides = overrides;
}
