import { ConfirmDialog } from './confirm-dialog.tsx';

// The confirmation before cancelling a run or deciding an approval step.

export type RunDialogState =
  | { kind: 'cancel' }
  | { kind: 'decide'; decision: 'approve' | 'reject'; stepId: string }
  | null;

function dialogTitle(dialog: RunDialogState): string {
  if (dialog?.kind === 'cancel') return 'Cancel this run?';
  if (dialog?.kind === 'decide')
    return `${dialog.decision === 'approve' ? 'Approve' : 'Reject'} step ${dialog.stepId}?`;
  return '';
}

function dialogMessage(dialog: RunDialogState): string {
  if (dialog?.kind === 'cancel')
    return 'Its unfinished steps are cancelled. A cancelled run can be retried or rerun later.';
  if (dialog?.kind === 'decide' && dialog.decision === 'approve')
    return 'The run continues with the steps that depend on this approval.';
  return 'The approval step fails, and so does the run.';
}

function confirmLabel(dialog: RunDialogState): string {
  if (dialog?.kind === 'cancel') return 'Cancel run';
  if (dialog?.kind === 'decide' && dialog.decision === 'reject') return 'Reject';
  return 'Approve';
}

export function RunDialog(props: {
  dialog: RunDialogState;
  pending: boolean;
  error: string | null;
  onClose: () => void;
  onConfirm: (comment: string) => void;
}) {
  const { dialog } = props;
  return (
    <ConfirmDialog
      key={dialog ? JSON.stringify(dialog) : 'closed'}
      opened={dialog !== null}
      title={dialogTitle(dialog)}
      message={dialogMessage(dialog)}
      confirmLabel={confirmLabel(dialog)}
      color={dialog?.kind === 'decide' && dialog.decision === 'approve' ? 'green' : 'red'}
      comment={dialog?.kind === 'decide'}
      pending={props.pending}
      error={props.error}
      onClose={props.onClose}
      onConfirm={props.onConfirm}
    />
  );
}
