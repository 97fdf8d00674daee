/** A confirmation that names what a destructive action removes. */
import type { ReactNode } from "react";
import { Modal } from "./Modal";

export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <div className="form">
        <div>{props.children}</div>
        {props.error && (
          <p className="error" role="alert">
            {props.error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={props.onConfirm} disabled={props.busy}>
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </Modal>
  );
}
