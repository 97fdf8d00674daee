/** The background reconcile loop syncs accounts on its own when RECONCILE_INTERVAL_SECONDS > 0. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startTestServer, type TestServer } from "../helpers/server.js";
import { useEmulators } from "../helpers/cloud.js";
import { startEc2Emulator, type Ec2Emulator } from "../emulators/ec2-emulator.js";
import { createAccount } from "../../src/domain/accounts.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { toGlobalId } from "../../src/schema/node.js";

let s: TestServer;
let ec2: Ec2Emulator;

beforeAll(async () => {
  ec2 = await startEc2Emulator();
  const vpc = ec2.addVpc({ region: "us-east-1", cidr: "10.77.0.0/16" });
  ec2.addSubnet({ vpcId: vpc.id, cidr: "10.77.1.0/24" });
  s = await startTestServer({ RECONCILE_INTERVAL_SECONDS: "1" });
  useEmulators(s, { ec2 });
});

afterAll(async () => {
  await s.close();
  await ec2.close();
});

describe("reconcile loop", () => {
  it("syncs a new account without any request and reports its drift as a system event", async () => {
    const account = await createAccount(
      s.app.services.store,
      { actor: SYSTEM_ACTOR },
      {
        key: "aws:777777777777",
        name: "looped",
        regions: ["us-east-1"],
      },
    );
    const sub = collect<{
      driftEvents: { type: string; actor: string; drift: { accountId: string; cidr: string } };
    }>(
      s.wsClient(),
      `subscription D($a: ID) { driftEvents(accountId: $a, after: "0") { type actor drift { accountId cidr } } }`,
      2,
      { a: toGlobalId("Account", account.id) },
    );

    const events = await sub.done;

    expect(events.map((e) => e.driftEvents.type)).toEqual(["drift.detected", "drift.detected"]);
    expect(events.map((e) => e.driftEvents.drift.cidr).sort()).toEqual(["10.77.0.0/16", "10.77.1.0/24"]);
    expect(events.every((e) => e.driftEvents.actor === "system")).toBe(true);
    const states = await s.ok<{ syncState: { region: string; counts: { subnets: number } | null }[] }>(
      `query S($id: ID!) { syncState(accountId: $id) { region counts { subnets } } }`,
      { id: toGlobalId("Account", account.id) },
    );
    // A later round may be RUNNING by now; the last finished counts stay visible.
    expect(states.syncState).toEqual([{ region: "us-east-1", counts: { subnets: 1 } }]);
  });
});
