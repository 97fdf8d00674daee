import { useMutation } from "urql";
import { graphql } from "../gql";
import { formErrors } from "../lib/errors";
import { ConfirmDialog } from "./ConfirmDialog";
import { toast } from "./Toasts";

const ReleaseMutation = graphql(`
  mutation ReleaseAllocation($input: ReleaseAllocationInput!) {
    releaseAllocation(input: $input) {
      allocation {
        id
        cidr
        status
        releasedAt
        pool {
          id
        }
      }
      changeRequest {
        id
        expiresAt
      }
    }
  }
`);

export function ReleaseDialog(props: {
  allocation: { id: string; cidr: string; name?: string | null };
  poolName: string;
  onClose: () => void;
}) {
  const [state, release] = useMutation(ReleaseMutation);
  const errs = formErrors(state.error);
  return (
    <ConfirmDialog
      title={`Release ${props.allocation.cidr}?`}
      confirmLabel={`Release ${props.allocation.cidr}`}
      busy={state.fetching}
      error={errs.general ?? Object.values(errs.fields)[0] ?? null}
      onClose={props.onClose}
      onConfirm={async () => {
        const r = await release({ input: { id: props.allocation.id } });
        if (r.data) {
          const { allocation, changeRequest } = r.data.releaseAllocation;
          // The scope's approval policy holds releases: nothing is released until someone approves it.
          toast(
            allocation
              ? `Released ${allocation.cidr}`
              : `Release of ${props.allocation.cidr} awaits approval (until ${changeRequest?.expiresAt ?? "it expires"})`,
          );
          props.onClose();
        }
      }}
    >
      <p>
        This removes the allocation <strong>{props.allocation.name ?? props.allocation.cidr}</strong> (
        <code>{props.allocation.cidr}</code>) from pool <strong>{props.poolName}</strong>: the addresses
        become free for the next allocation. Its history is kept (status RELEASED).
      </p>
    </ConfirmDialog>
  );
}
