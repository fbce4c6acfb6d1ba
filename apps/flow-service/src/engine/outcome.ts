// What executing (or deciding) a step produced; the store turns it into state changes.

export type Outcome =
  | { kind: 'succeeded'; output: unknown; input?: unknown }
  | {
      kind: 'failed';
      error: string;
      /** Whether the retry policy may try again (5xx, timeouts, network errors; not 4xx or rejections). */
      retryable: boolean;
      /** The attempt (or the decision) ran out of time: the step ends `timed_out` when no retry is left. */
      timedOut?: boolean;
      input?: unknown;
    }
  | {
      kind: 'wait';
      /** When the step is claimed again (delay over, decision deadline); null = only an event wakes it. */
      until: number | null;
      childRunId?: string;
      /** An approval: the run shows `waiting` until it is decided. */
      awaitsDecision?: boolean;
      input?: unknown;
    };

/** Which row state the outcome may be applied to: a claimed step (our lease) or a waiting one. */
export type Guard =
  | { state: 'running'; leaseOwner: string; attempt: number }
  | { state: 'waiting' }
  | { state: 'active' };
