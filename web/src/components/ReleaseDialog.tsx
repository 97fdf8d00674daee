import { graphql } from "../gql";
import { useMutationForm } from "../lib/mutation-form";
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
  const release = useMutationForm(ReleaseMutation, {
    onSuccess: (r) => {
      const { allocation, changeRequest } = r.releaseAllocation;
      // The scope's approval policy holds releases: nothing is released until someone approves it.
      toast(
        allocation
          ? `Released ${allocation.cidr}`
          : `Release of ${props.allocation.cidr} awaits approval (until ${changeRequest?.expiresAt ?? "it expires"})`,
      );
      props.onClose();
    },
  });
  return (
    <ConfirmDialog
      title={`Release ${props.allocation.cidr}?`}
      confirmLabel={`Release ${props.allocation.cidr}`}
      busy={release.busy}
      error={release.message}
      onClose={props.onClose}
      onConfirm={() => void release.submit({ input: { id: props.allocation.id } })}
    >
      <p>
        This removes the allocation <strong>{props.allocation.name ?? props.allocation.cidr}</strong> (
        <code>{props.allocation.cidr}</code>) from pool <strong>{props.poolName}</strong>: the addresses
        become free for the next allocation. Its history is kept (status RELEASED).
      </p>
    </ConfirmDialog>
  );
}
