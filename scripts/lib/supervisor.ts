// Keeps the platform's components running: a component that dies is started again after a back-off
// (0.5 s doubling up to 10 s) while the others keep serving; only one that keeps crashing (5 times within a
// minute) is given up on, which stops the platform with its name and its last log lines, since a crash loop
// needs a person rather than more restarts. Used by scripts/platform.ts; kept apart so the rule is testable
// with tiny fake components.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SupervisedComponent {
  name: string;
  /** Starts one instance; its stdout and stderr must be pipes. */
  spawn(): ChildProcess;
}

export interface SupervisorOptions {
  /** One line a component printed (for the caller to show). */
  onLine(name: string, line: string): void;
  /** A line of the supervisor's own. */
  say(line: string): void;
  /** A component crashed too often: the caller stops the platform. */
  onGiveUp(name: string, lastLines: readonly string[]): void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Crashes within `crashWindowMs` that make the supervisor give up. */
  crashLimit?: number;
  crashWindowMs?: number;
  /** Log lines kept per component for the give-up message. */
  keptLines?: number;
  now?: () => number;
}

interface Slot {
  component: SupervisedComponent;
  child: ChildProcess | null;
  lastLines: string[];
  crashes: number[];
  restartTimer: NodeJS.Timeout | null;
}

/** How a child ended, for people: `SIGKILL` or `code 3`. */
export const describeExit = (code: number | null, signal: NodeJS.Signals | null) => signal ?? `code ${code}`;

export class Supervisor {
  readonly #options: Required<Omit<SupervisorOptions, 'now'>> & { now: () => number };
  readonly #slots = new Map<string, Slot>();
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = {
      initialBackoffMs: 500,
      maxBackoffMs: 10_000,
      crashLimit: 5,
      crashWindowMs: 60_000,
      keptLines: 20,
      now: Date.now,
      ...options,
    };
  }

  start(component: SupervisedComponent): void {
    const slot: Slot = { component, child: null, lastLines: [], crashes: [], restartTimer: null };
    this.#slots.set(component.name, slot);
    this.#run(slot);
  }

  /** The running process of a component, if any. */
  child(name: string): ChildProcess | null {
    return this.#slots.get(name)?.child ?? null;
  }

  /** Stops restarting, sends `signal` to every child, SIGKILLs them after `graceMs`, resolves when all exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    const children: ChildProcess[] = [];
    for (const slot of this.#slots.values()) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      if (slot.child && slot.child.exitCode === null && slot.child.signalCode === null)
        children.push(slot.child);
    }
    const exits = children.map(
      (child) => new Promise<void>((resolve) => child.once('exit', () => resolve())),
    );
    for (const child of children) child.kill(signal);
    const timer = setTimeout(() => {
      for (const child of children) child.kill('SIGKILL');
    }, graceMs);
    await Promise.all(exits);
    clearTimeout(timer);
  }

  #run(slot: Slot): void {
    slot.restartTimer = null;
    if (this.#stopping) return;
    const child = slot.component.spawn();
    slot.child = child;
    if (child.pid !== undefined) this.#options.say(`${slot.component.name} started (pid ${child.pid})`);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        slot.lastLines.push(line);
        if (slot.lastLines.length > this.#options.keptLines) slot.lastLines.shift();
        this.#options.onLine(slot.component.name, line);
      });
    }
    let ended = false;
    const onEnd = (how: string) => {
      if (ended) return;
      ended = true;
      if (slot.child === child) slot.child = null;
      if (!this.#stopping) this.#crashed(slot, how);
    };
    // Lines still buffered in the pipes are read before 'close', so the give-up message has them all.
    child.once('close', (code, signal) => onEnd(describeExit(code, signal)));
    child.once('error', (error) => {
      if (child.pid === undefined) onEnd(`failed to start: ${error.message}`);
    });
  }

  #crashed(slot: Slot, how: string): void {
    const { name } = slot.component;
    const now = this.#options.now();
    slot.crashes = [...slot.crashes.filter((at) => now - at < this.#options.crashWindowMs), now];
    const recent = slot.crashes.length;
    const windowSeconds = this.#options.crashWindowMs / 1000;
    if (recent >= this.#options.crashLimit) {
      this.#options.say(
        `${name} exited unexpectedly (${how}), ${recent} times within ${windowSeconds} s; stopping the platform. Its last log lines:`,
      );
      for (const line of slot.lastLines) this.#options.say(`  ${name} | ${line}`);
      this.#options.onGiveUp(name, [...slot.lastLines]);
      return;
    }
    const delay = Math.min(this.#options.initialBackoffMs * 2 ** (recent - 1), this.#options.maxBackoffMs);
    this.#options.say(
      `${name} exited unexpectedly (${how}); restarting it in ${delay / 1000} s (crash ${recent} within ${windowSeconds} s; ${this.#options.crashLimit} stop the platform)`,
    );
    slot.restartTimer = setTimeout(() => this.#run(slot), delay);
  }
}
