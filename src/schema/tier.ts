/**
 * The tier of an account. Its own module because both accounts (their tier) and pools (the tiers they
 * accept) use it, and account.ts imports pool.ts (DeleteAccountPayload lists pools): in account.ts it would
 * make a cycle.
 */
import { registerEnumType } from "type-graphql";

export enum Tier {
  DEV = "DEV",
  STG = "STG",
  SBX = "SBX",
  PRD = "PRD",
}
registerEnumType(Tier, {
  name: "Tier",
  description: "The tier of an account (pools may restrict allocations to some tiers).",
  valuesConfig: {
    DEV: { description: "Development." },
    STG: { description: "Staging." },
    SBX: { description: "Sandbox." },
    PRD: { description: "Production." },
  },
});
