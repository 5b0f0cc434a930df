/**
 * The bytes pgcdc workers exchange through the Kafka group protocol (JSON, versioned):
 *  - a member's join metadata: its REST URL and the connectors it runs now (for sticky moves);
 *  - a member's assignment from the leader: the leader's URL (where writes are forwarded), the
 *    offset of the config topic the leader assigned from, and the member's connectors.
 * A worker of a later version must add fields, not change these; unreadable bytes decode to null
 * (a member that sent them is treated as running nothing, and is told so).
 */

export const PROTOCOL_VERSION = 1;

export interface MemberMetadata {
  /** base URL of the member's REST API, e.g. http://10.0.0.5:8083 */
  url: string;
  owned: string[];
}

export interface WorkerAssignment {
  leaderId: string;
  leaderUrl: string;
  /** the config topic position the leader read before assigning (members read at least that far) */
  configOffset: string;
  connectors: string[];
  /** where every connector of the cluster runs (base URL of its worker), for forwarding and status */
  owners: Record<string, string>;
}

export function encodeMetadata(m: MemberMetadata): Buffer {
  return Buffer.from(JSON.stringify({ version: PROTOCOL_VERSION, url: m.url, owned: m.owned }));
}

export function decodeMetadata(bytes: Buffer): MemberMetadata | null {
  const v = parse(bytes);
  if (!v || typeof v.url !== 'string' || !isNames(v.owned)) return null;
  return { url: v.url, owned: v.owned };
}

export function encodeAssignment(a: WorkerAssignment): Buffer {
  return Buffer.from(JSON.stringify({ version: PROTOCOL_VERSION, ...a }));
}

export function decodeAssignment(bytes: Buffer): WorkerAssignment | null {
  const v = parse(bytes);
  if (!v || typeof v.leaderId !== 'string' || typeof v.leaderUrl !== 'string' || typeof v.configOffset !== 'string' || !isNames(v.connectors)) return null;
  const owners: Record<string, string> = {};
  if (typeof v.owners === 'object' && v.owners !== null && !Array.isArray(v.owners)) {
    for (const [name, url] of Object.entries(v.owners as Record<string, unknown>)) if (typeof url === 'string') owners[name] = url;
  }
  return { leaderId: v.leaderId, leaderUrl: v.leaderUrl, configOffset: v.configOffset, connectors: v.connectors, owners };
}

function parse(bytes: Buffer): Record<string, unknown> | null {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const record = v as Record<string, unknown>;
    return typeof record.version === 'number' && record.version >= PROTOCOL_VERSION ? record : null;
  } catch {
    return null;
  }
}

function isNames(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((n) => typeof n === 'string');
}
