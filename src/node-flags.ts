/**
 * V8 flags the pgcdc process runs with (the `pgcdc` bin's shebang, the Docker image, the tests and
 * the benchmark all start it with these). Node 24's V8 sizes the young generation larger than Node
 * 20's did: a 1M-row transaction then peaked at 340 MB RSS instead of ~210 MB. 16 MB semi-spaces
 * (Node 20's size) keep the worker's memory where it was measured. The old generation is then left to
 * grow to ~4x its live size (35 MB live, 120-150 MB committed) before V8 collects it, so the peak
 * swung between 260 and 330 MB from run to run; a growing factor of 2 (--heap-growing-percent=100)
 * holds it at 205-220 MB for ~1.5 s more CPU (of ~13 s) on that transaction (2026-12-01, this machine).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--heap-growing-percent=100'];
