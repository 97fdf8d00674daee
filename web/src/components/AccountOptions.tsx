/** The `<option>`s of a provider or tier select, after an empty choice ("any", "—"): one list for every form and filter. */
import type { Provider, Tier } from "../gql/graphql";

export const PROVIDERS: Provider[] = ["AWS", "GCP", "AZURE", "ONPREM"];
export const TIERS: Tier[] = ["DEV", "STG", "SBX", "PRD"];

export function ProviderOptions({ empty }: { empty: string }) {
  return (
    <>
      <option value="">{empty}</option>
      {PROVIDERS.map((p) => (
        <option key={p} value={p}>
          {p}
        </option>
      ))}
    </>
  );
}

export function TierOptions({ empty }: { empty: string }) {
  return (
    <>
      <option value="">{empty}</option>
      {TIERS.map((t) => (
        <option key={t} value={t}>
          {t.toLowerCase()}
        </option>
      ))}
    </>
  );
}
