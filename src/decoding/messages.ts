import type { Lsn } from '../postgres/lsn.js';

/**
 * pgoutput (protocol version 1) messages as pgcdc uses them. Column values stay in PostgreSQL's text
 * output form; converting them is the type mapping's job (src/types), so the decoder stays a pure
 * function of the bytes it is given.
 */

/** A column value pgoutput did not send because it is TOASTed and unchanged by this update. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');
export type TupleValue = string | null | typeof UNCHANGED_TOAST;
export type Tuple = TupleValue[];

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

export interface RelationColumn {
  name: string;
  typeOid: number;
  typeMod: number;
  /** part of the replica identity (the primary key under REPLICA IDENTITY DEFAULT) */
  isKey: boolean;
}

export interface BeginMessage { tag: 'begin'; finalLsn: Lsn; commitTimeUs: bigint; xid: number }
export interface CommitMessage { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTimeUs: bigint }
export interface OriginMessage { tag: 'origin'; originLsn: Lsn; name: string }
export interface RelationMessage {
  tag: 'relation';
  relationOid: number;
  schema: string;
  table: string;
  replicaIdentity: ReplicaIdentity;
  columns: RelationColumn[];
}
export interface TypeMessage { tag: 'type'; typeOid: number; schema: string; name: string }
export interface InsertMessage { tag: 'insert'; relationOid: number; newTuple: Tuple }
export interface UpdateMessage {
  tag: 'update';
  relationOid: number;
  /** the old replica-identity columns, sent when the key changed (identity DEFAULT/INDEX) */
  keyTuple: Tuple | null;
  /** the whole old row, sent under REPLICA IDENTITY FULL */
  oldTuple: Tuple | null;
  newTuple: Tuple;
}
export interface DeleteMessage { tag: 'delete'; relationOid: number; keyTuple: Tuple | null; oldTuple: Tuple | null }
export interface TruncateMessage { tag: 'truncate'; relationOids: number[]; cascade: boolean; restartIdentity: boolean }
export interface LogicalMessage { tag: 'message'; transactional: boolean; lsn: Lsn; prefix: string; content: Buffer }

export type PgoutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage;
