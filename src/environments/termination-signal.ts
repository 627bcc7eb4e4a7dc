const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type TerminationSignal = (typeof SIGNALS)[number];

/**
 * Calls `onSignal` on SIGINT or SIGTERM instead of dying at once, so that a run can stop its
 * cluster first. `release()` removes the handlers and, if a signal came, re-raises it so that the
 * process still ends the way its sender asked.
 */
export function onTerminationSignal(onSignal: (signal: TerminationSignal) => void): {
  release(): void;
} {
  let received: TerminationSignal | undefined;
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (received) return;
      received = signal;
      onSignal(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    release() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      if (received && process.listenerCount(received) === 0) process.kill(process.pid, received);
    },
  };
}
