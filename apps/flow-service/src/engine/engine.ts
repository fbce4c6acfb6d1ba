import type { Database } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { DefinitionsRepository } from '../definitions/definitions.repository.ts';
import {
  abortRun,
  afterCommit,
  commitLeftovers,
  type EngineOptions,
  type EngineState,
  loop,
  sweep,
  wake,
} from './engine-loop.ts';
import { EngineSignals } from './events.ts';
import { createStore, type StartRunInput, type Store } from './store.ts';

export type { EngineOptions } from './engine-loop.ts';

function start(state: EngineState) {
  if (!state.stopped) return;
  state.stopped = false;
  state.loopDone = loop(state);
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    void sweep(state).finally(() => {
      sweeping = false;
    });
  }, state.options.sweepIntervalMs);
  sweeper.unref();
  state.timers = [sweeper];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stop(state: EngineState, graceMs: number) {
  if (state.stopped) return;
  state.stopped = true;
  for (const timer of state.timers) clearInterval(timer);
  if (state.nextTimer) clearTimeout(state.nextTimer);
  state.wakeUp?.();
  await state.loopDone;
  const deadline = Date.now() + graceMs;
  while (state.running.size > 0 && Date.now() < deadline) await pause(10);
  for (const entry of state.running.values()) entry.controller.abort(new Error('shutting down'));
  while (state.running.size > 0) await pause(10);
  await commitLeftovers(state);
}

/**
 * One engine per process: a loop that, per turn, commits finished steps and claims ready ones in ONE
 * transaction, then executes the claimed steps concurrently. Completions wake the loop immediately, so a
 * chain advances in one transaction per step; other instances' work is found by a short idle poll.
 */
export function createEngine(
  database: Database<FlowSchema>,
  definitions: DefinitionsRepository,
  options: EngineOptions,
  /** Shared by the lanes of one process, so any lane's commit wakes the others and the SSE streams. */
  signals: EngineSignals = new EngineSignals(),
) {
  const store: Store = createStore(database, definitions, signals, {
    workerId: options.workerId,
    leaseMs: options.leaseMs,
    onCommit: (ctx) => afterCommit(state, ctx),
  });
  const startRun = async (input: StartRunInput) => {
    const result = await store.startRun(input);
    if (result.created) options.metrics?.runsStarted.inc({ trigger: input.trigger });
    return result;
  };
  const state: EngineState = {
    database,
    options,
    signals,
    store,
    executors: { ...options.executors, startRun },
    running: new Map(),
    completions: [],
    stopped: true,
    wakeUp: null,
    woken: false,
    loopDone: Promise.resolve(),
    timers: [],
    nextTimer: null,
  };
  signals.on('wake', () => wake(state));
  // A run that ended (cancelled, failed, timed out) stops its steps running in every lane of this process.
  signals.on('abort', (runId: string) => abortRun(state, runId));
  return {
    signals,
    store,
    startRun,
    start: () => start(state),
    /** Stops claiming, lets running steps finish (up to `graceMs`, then aborts them) and commits their results. */
    stop: (graceMs = 5000) => stop(state, graceMs),
    inflight: () => state.running.size,
  };
}

export type Engine = ReturnType<typeof createEngine>;
