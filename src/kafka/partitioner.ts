import { compatibilityPartitioner, type Partitioner, type PartitionerContext } from '@platformatic/kafka';

/**
 * Records with a null key (tables without a primary key) stay on one partition of a topic for this
 * many records, then move to another chosen at random, like the Java client's sticky partitioner:
 * the requests of one batch are then not split into a small record batch per partition.
 */
const STICKY_RECORDS = 512;

type Message = Parameters<Partitioner<Buffer, Buffer, string, string>>[0];

/**
 * Partition choice for change events, as Kafka Connect's Java producer makes it, so a key lands on
 * the same partition as with Debezium. The producer takes the result modulo the topic's partition
 * count, so a number of any size is a valid answer:
 * - a record with a key: `toPositive(murmur2(key))` — @platformatic/kafka's compatibilityPartitioner
 *   is Java's (its defaultPartitioner is `>>> 0`, which places negative hashes differently);
 * - a record without a key: a random partition with a leader, sticky for STICKY_RECORDS records.
 * A partition set on the message itself is kept by the producer before it asks the partitioner.
 */
export function changeEventPartitioner(): Partitioner<Buffer, Buffer, string, string> {
  const sticky = new Map<string, { partition: number; left: number }>();

  const stickyPartition = (topic: string, context: PartitionerContext): number => {
    const partitions = context.metadata?.topics.get(topic)?.partitions;
    let s = sticky.get(topic);
    const usable = (p: number): boolean => !partitions || (partitions[p % partitions.length]?.leader ?? -1) >= 0;
    if (!s || s.left <= 0 || !usable(s.partition)) {
      const count = partitions?.length ?? 0;
      let from = count > 0 ? [...Array(count).keys()].filter(usable) : [];
      if (count > 0 && from.length === 0) from = [...Array(count).keys()];
      // Move on to another partition, as the Java client does when a batch is complete.
      if (s && from.length > 1) from = from.filter((p) => p !== s!.partition % count);
      // Without metadata yet (the first send), any number: the producer reduces it modulo the count.
      const partition = from.length > 0 ? from[Math.floor(Math.random() * from.length)]! : Math.floor(Math.random() * 0x7fffffff);
      s = { partition, left: STICKY_RECORDS };
      sticky.set(topic, s);
    }
    s.left--;
    return s.partition;
  };

  return (message: Message, key: Buffer | undefined, context: PartitionerContext): number => {
    if (Buffer.isBuffer(key)) return compatibilityPartitioner(message, key);
    return stickyPartition(message.topic, context);
  };
}
