import { Partitioners, type ICustomPartitioner, type PartitionerArgs, type PartitionMetadata } from 'kafkajs';

/**
 * Records with a null key (tables without a primary key) stay on one partition of a topic for this
 * many records, then move to another chosen at random, like the Java client's sticky partitioner:
 * the requests of one batch are then not split into a small record batch per partition.
 */
const STICKY_RECORDS = 512;

/**
 * Partition choice for change events, as Kafka Connect's Java producer makes it, so a key lands on
 * the same partition as with Debezium:
 * - a topic with one partition: that partition (no hashing; the common case);
 * - a record with a key: murmur2 of the key bytes, `toPositive(hash) % partitions` — kafkajs's
 *   DefaultPartitioner is the Java-compatible one and does exactly this;
 * - a record without a key: a random available partition, sticky for STICKY_RECORDS records.
 * A partition set on the message itself is kept.
 */
export const changeEventPartitioner: ICustomPartitioner = () => {
  const javaCompatible = Partitioners.DefaultPartitioner();
  const sticky = new Map<string, { partition: number; left: number }>();

  const stickyPartition = (topic: string, partitions: PartitionMetadata[]): number => {
    let s = sticky.get(topic);
    if (!s || s.left <= 0 || !partitions.some((p) => p.partitionId === s!.partition && p.leader >= 0)) {
      const available = partitions.filter((p) => p.leader >= 0);
      let from = available.length > 0 ? available : partitions;
      // Move on to another partition, as the Java client does when a batch is complete.
      if (s && from.length > 1) from = from.filter((p) => p.partitionId !== s!.partition);
      s = { partition: from[Math.floor(Math.random() * from.length)]!.partitionId, left: STICKY_RECORDS };
      sticky.set(topic, s);
    }
    s.left--;
    return s.partition;
  };

  return (args: PartitionerArgs): number => {
    const { topic, partitionMetadata, message } = args;
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (partitionMetadata.length === 1) return partitionMetadata[0]!.partitionId;
    if (message.key !== undefined && message.key !== null) return javaCompatible(args);
    return stickyPartition(topic, partitionMetadata);
  };
};
