/**
 * V8 flags the pgcdc process runs with (the `pgcdc` bin's shebang, the Docker image, the tests and
 * the benchmark all start it with these). Node 24's V8 sizes the young generation larger than Node
 * 20's did: a 1M-row transaction then peaked at 340 MB RSS instead of ~210 MB. 16 MB semi-spaces
 * (Node 20's size) keep the worker's memory where it was measured.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];
