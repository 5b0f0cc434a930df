/**
 * Which worker of a cluster runs which connector: computed by the group's leader at every
 * rebalance, from the members' own reports of what they run (pure: no I/O).
 *
 * Goals, in order:
 *  1. every connector on exactly one member (a connector two members claim stays with the first,
 *     by member id; the other is told to stop it);
 *  2. as few moves as possible: a connector stays where it runs unless its member carries more
 *     than its share, so a worker that dies moves only its own connectors and a rolling restart
 *     moves each connector about once;
 *  3. balanced: no member runs more than one connector more than another.
 */

export interface MemberReport {
  memberId: string;
  /** connectors the member runs now (from its join metadata) */
  owned: readonly string[];
}

/** The connectors of every member (each member present, possibly with none). */
export function assignConnectors(members: readonly MemberReport[], connectors: readonly string[]): Map<string, string[]> {
  const ids = members.map((m) => m.memberId).sort();
  const result = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  const wanted = new Set(connectors);
  const placed = new Set<string>();
  // Keep what runs where it runs (first claim wins, in member id order).
  const byId = new Map(members.map((m) => [m.memberId, m]));
  for (const id of ids) {
    for (const name of [...(byId.get(id)?.owned ?? [])].sort()) {
      if (!wanted.has(name) || placed.has(name)) continue;
      result.get(id)!.push(name);
      placed.add(name);
    }
  }
  // Members above their share give up the excess (the last names, so the choice is stable).
  const ceiling = Math.ceil(wanted.size / ids.length);
  const homeless = [...wanted].filter((name) => !placed.has(name)).sort();
  for (const id of ids) {
    const list = result.get(id)!;
    while (list.length > ceiling) homeless.push(list.pop()!);
  }
  // New and freed connectors go to the least loaded member (ties by member id).
  for (const name of homeless.sort()) least(result, ids).push(name);
  // Only now even out a spread above one (a new member with nothing takes from the fullest).
  for (;;) {
    const low = least(result, ids);
    const high = most(result, ids);
    if (high.length - low.length <= 1) break;
    low.push(high.pop()!);
  }
  for (const list of result.values()) list.sort();
  return result;
}

function least(result: Map<string, string[]>, ids: readonly string[]): string[] {
  return ids.map((id) => result.get(id)!).reduce((a, b) => (b.length < a.length ? b : a));
}

function most(result: Map<string, string[]>, ids: readonly string[]): string[] {
  return ids.map((id) => result.get(id)!).reduce((a, b) => (b.length > a.length ? b : a));
}

/**
 * Two-step moves: a connector the plan moves away from a live member that still runs it is
 * assigned to nobody in this round. That member stops it on receiving its assignment and asks for
 * another round, in which the connector is free and placed; so no connector runs on two members
 * at once, even for the moment both act on the same generation.
 */
export function withoutConcurrentMoves(plan: ReadonlyMap<string, readonly string[]>, members: readonly MemberReport[]): Map<string, string[]> {
  const claimers = new Map<string, Set<string>>();
  for (const m of members) for (const name of m.owned) (claimers.get(name) ?? claimers.set(name, new Set()).get(name)!).add(m.memberId);
  // Kept only by its sole claimer, or placed when nobody claims it. Claimed twice (a worker back from
  // a freeze still reporting what it ran): withheld from all until both stopped it.
  const keep = (name: string, id: string) => {
    const c = claimers.get(name);
    return !c || (c.size === 1 && c.has(id));
  };
  const result = new Map<string, string[]>();
  for (const [id, names] of plan) result.set(id, names.filter((name) => keep(name, id)));
  return result;
}
