/**
 * kafkajs 2.2.4 arms a timer with a negative delay (requestQueue's scheduleCheckPendingRequests);
 * Node clamps it to 1 ms as it always did, but Node ≥ 23 prints a TimeoutNegativeWarning on every
 * start. The worker no longer loads kafkajs (README, Choosing a Kafka client) but `pgcdc load` (the
 * warehouse loader) still does; only that warning is dropped, every other warning is printed as usual.
 */
export function dropKnownWarnings(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const first = rest[0];
    const type = warning instanceof Error ? warning.name : typeof first === 'string' ? first : (first as { type?: string } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
