import type { FastifyInstance } from 'fastify';

export interface StartServerOptions {
  host: string;
  port: number;
  /** Signal path only: if draining takes longer than this, exit 1 anyway. Defaults to 25 s (under k8s' 30 s). */
  shutdownTimeoutMs?: number;
  /** Signal path only: how to end the process. Defaults to `process.exit`; tests pass a spy. */
  exit?: (code: number) => void;
  /**
   * On SIGTERM (and close()), how long to keep serving before closing: health answers 503 and every response
   * closes its connection, so the gateway stops choosing this instance and holds no idle connection to it when
   * it closes (a request sent on a connection the server is closing cannot be safely retried if it is a POST).
   * SIGINT (Ctrl-C) skips it. Default 0.
   */
  drainDelayMs?: number;
}

export interface RunningServer {
  /** Base URL the server listens on, e.g. `http://127.0.0.1:38123`. */
  url: string;
  /**
   * Stops accepting, lets in-flight requests finish, runs the app's `onClose`. Never exits the process.
   * Idempotent: every call returns the same shutdown.
   */
  close(): Promise<void>;
}

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Listens and installs SIGTERM/SIGINT handlers: the first signal drains and exits 0 (1 if closing
 * failed or timed out); a second signal while draining exits 1 at once.
 */
export async function startServer(app: FastifyInstance, options: StartServerOptions): Promise<RunningServer> {
  const { host, port } = options;
  if (typeof host !== 'string' || host.length === 0)
    throw new Error('startServer: `host` must be a non-empty string');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`startServer: \`port\` must be an integer from 0 to 65535; got ${port}`);
  }
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs <= 0) {
    throw new Error(
      `startServer: \`shutdownTimeoutMs\` must be a positive integer; got ${shutdownTimeoutMs}`,
    );
  }
  const drainDelayMs = options.drainDelayMs ?? 0;
  if (!Number.isInteger(drainDelayMs) || drainDelayMs < 0) {
    throw new Error(`startServer: \`drainDelayMs\` must be a non-negative integer; got ${drainDelayMs}`);
  }
  const exitProcess = options.exit ?? ((code: number) => process.exit(code));
  // Whichever comes first (drain done, drain failed, timeout, second signal) decides the exit code.
  let exiting = false;
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    exitProcess(code);
  };

  // Fastify logs the one "Server listening at <url>" line itself.
  const url = await app.listen({ host, port });

  let shutdown: Promise<void> | undefined;
  const removeSignalHandlers = () => {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  };

  const close = (reason = 'close() called', delayMs = drainDelayMs): Promise<void> => {
    shutdown ??= (async () => {
      app.lifecycle.draining = true;
      app.log.info({ reason, drainDelayMs: delayMs }, 'shutting down: draining in-flight requests');
      try {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await app.close();
      } finally {
        removeSignalHandlers();
      }
    })();
    return shutdown;
  };

  function onSignal(signal: NodeJS.Signals): void {
    if (shutdown) {
      if (exiting) return;
      // The operator insists (or the orchestrator escalated): stop waiting for stragglers.
      app.log.warn({ signal }, 'second signal while shutting down; exiting now');
      exit(1);
      return;
    }
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: shutdownTimeoutMs }, 'shutdown timed out; exiting');
      exit(1);
    }, shutdownTimeoutMs);
    timer.unref();
    close(signal, signal === 'SIGINT' ? 0 : drainDelayMs).then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        app.log.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  }

  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);

  return { url, close: () => close() };
}
