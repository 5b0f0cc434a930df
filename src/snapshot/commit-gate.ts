/**
 * Exactly-once snapshots: when a Kafka transaction may commit. Snapshot workers deliver chunks in
 * parallel into one transaction, and the offset committed with it lists the finished chunks; a
 * chunk half delivered at a commit would be read again after a crash and its first rows seen
 * twice. So a chunk holds the gate (`enter`/`leave`) while its rows are sent, and `exclusive`
 * runs the commit once no chunk is being sent, holding new chunks back meanwhile (a waiting commit
 * goes first, so a stream of chunks cannot starve it). Calls to `exclusive` while one waits or
 * runs share it: the commit reads the state when it runs, so it covers their chunks too.
 */
export class CommitGate {
  private active = 0;
  private commit: Promise<void> | null = null;
  private drained: (() => void) | null = null;

  async enter(): Promise<void> {
    while (this.commit) await this.commit.catch(() => {});
    this.active++;
  }

  leave(): void {
    this.active--;
    if (this.active === 0) this.drained?.();
  }

  exclusive(run: () => Promise<void>): Promise<void> {
    this.commit ??= (async () => {
      try {
        if (this.active > 0) await new Promise<void>((resolve) => (this.drained = resolve));
        this.drained = null;
        await run();
      } finally {
        this.commit = null;
      }
    })();
    return this.commit;
  }
}
