import { useCallback, useEffect, useRef, useState } from 'react';
import { fetchRun, fetchStep } from '../../app/actions/workflows.ts';
import type { RunDetail, StepDetail } from '../../lib/flow-api/types.ts';
import { applyEvent, type LiveRun, parseEvent } from '../../lib/workflows/apply-event.ts';

// A run as React state that follows the run's event stream (relayed by the portal's route handler, so no
// token reaches the browser); every burst of events is followed by a reload of the run from flow-service,
// which brings what events do not carry (outputs, errors). The selected step's detail is loaded with it.

export type Connection = 'connecting' | 'live' | 'stopped';

const RELOAD_DELAY_MS = 250;

export function useLiveRun(initial: RunDetail, streamUrl: string) {
  const runId = initial.id;
  const [live, setLive] = useState<LiveRun>({ run: initial, lastSeq: 0 });
  const [connection, setConnection] = useState<Connection>('connecting');
  const [selected, setSelected] = useState<string | null>(null);
  const [step, setStep] = useState<StepDetail | null>(null);
  const [stepError, setStepError] = useState<string | null>(null);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selected;
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadStep = useCallback(
    async (stepId: string) => {
      const result = await fetchStep(runId, stepId);
      if (selectedRef.current !== stepId) return;
      if (result.ok) {
        setStep(result.value);
        setStepError(null);
      } else setStepError(result.error);
    },
    [runId],
  );

  const reload = useCallback(async () => {
    const result = await fetchRun(runId);
    if (result.ok) setLive((current) => ({ run: result.value, lastSeq: current.lastSeq }));
    if (selectedRef.current) await loadStep(selectedRef.current);
  }, [runId, loadStep]);

  const scheduleReload = useCallback(() => {
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => void reload(), RELOAD_DELAY_MS);
  }, [reload]);

  useEffect(() => {
    const source = new EventSource(streamUrl);
    source.onopen = () => setConnection('live');
    source.onmessage = (message) => {
      const event = parseEvent(message.data as string);
      if (!event) return;
      setLive((current) => applyEvent(current, event));
      scheduleReload();
    };
    // The browser reconnects by itself (with Last-Event-ID) unless the portal refused (signed out, 403).
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? 'stopped' : 'connecting');
    return () => {
      source.close();
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
    };
  }, [streamUrl, scheduleReload]);

  const select = (stepId: string) => {
    setSelected(stepId);
    setStep(null);
    setStepError(null);
    void loadStep(stepId);
  };

  return {
    run: live.run,
    connection,
    selected,
    select,
    unselect: () => setSelected(null),
    step,
    stepError,
    reload,
  };
}
