// What an approval step asks, from its rendered input (`{ message?, details? }`, flow-service's definition
// schema): the message as written, or a plain question when the definition gives none, and the details as
// indented JSON (null when there are none worth showing).

export interface ApprovalPrompt {
  message: string;
  details: string | null;
}

const DEFAULT_MESSAGE = 'Approve this step?';

const isEmpty = (value: unknown) =>
  value === null ||
  value === undefined ||
  value === '' ||
  (typeof value === 'object' && Object.keys(value as object).length === 0);

export function approvalPrompt(input: unknown): ApprovalPrompt {
  const fields = (input !== null && typeof input === 'object' ? input : {}) as {
    message?: unknown;
    details?: unknown;
  };
  const message =
    typeof fields.message === 'string' && fields.message.trim() ? fields.message : DEFAULT_MESSAGE;
  const details = isEmpty(fields.details)
    ? null
    : typeof fields.details === 'string'
      ? fields.details
      : JSON.stringify(fields.details, null, 2);
  return { message, details };
}
