/**
 * Holds SIGTERM/SIGINT while the process loads (no imports here, so this runs first). A signal that
 * arrives meanwhile is recorded instead of killing the process; whoever takes over signal handling
 * (the worker's Shutdown, or a client command restoring the default) takes the recorded ones.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const pending: string[] = [];
const record = (signal: string) => {
  pending.push(signal);
};

export function holdEarlySignals(): void {
  for (const s of SIGNALS) process.on(s, record);
}

/** Stops holding and returns the signals that came meanwhile (oldest first). */
export function takeEarlySignals(): string[] {
  for (const s of SIGNALS) process.off(s, record);
  return pending.splice(0);
}
