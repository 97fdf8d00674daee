import { pino, type Logger } from "pino";

export type { Logger };

/** Field names whose values never reach a log line. */
export const redactPaths = [
  "token",
  "secret",
  "password",
  "authorization",
  "*.token",
  "*.secret",
  "*.password",
  "*.authorization",
  "req.headers.authorization",
  "config.oidc.clientSecret",
];

export function createLogger(level = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: redactPaths, censor: "[redacted]" }, base: { service: "cloudpam" } },
    destination,
  );
}
