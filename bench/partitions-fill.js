// One record to each partition of a topic over the Kafka protocol (KafkaJS), for bench/partitions-resources.sh.
// usage: node bench/partitions-fill.js <bootstrap host:port> <topic> <partitions>
const { Kafka, logLevel } = require('kafkajs');
const [bootstrap, topic, count] = process.argv.slice(2);
(async () => {
  const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const partitions = Number(count);
  for (let first = 0; first < partitions; first += 1000) {
    const messages = [];
    for (let p = first; p < Math.min(first + 1000, partitions); p++) messages.push({ partition: p, value: `record-${p}` });
    await producer.send({ topic, acks: 1, messages });
  }
  await producer.disconnect();
  console.log(`produced ${partitions} records, one per partition`);
})().catch(e => { console.error(e); process.exit(1); });
