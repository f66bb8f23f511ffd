// KafkaJS round trip against Orka, driven by KafkaJsTests: creates a topic, produces COUNT records
// (acks=all, idempotent), consumes them in a group of two consumers, commits, and prints one JSON
// line with what happened. Exits non-zero on any error or when TIMEOUT_MS passes.
const { Kafka, logLevel } = require('kafkajs');

const brokers = process.env.BOOTSTRAP.split(',');
const topic = process.env.TOPIC;
const groupId = process.env.GROUP;
const count = parseInt(process.env.COUNT || '1000', 10);
const timeoutMs = parseInt(process.env.TIMEOUT_MS || '90000', 10);

const kafka = new Kafka({ clientId: 'orka-kafkajs-test', brokers, logLevel: logLevel.WARN, retry: { retries: 10 } });

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const listed = await admin.listTopics();
  await admin.disconnect();

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < count; i += 100) {
    const messages = [];
    for (let j = i; j < Math.min(i + 100, count); j++) {
      messages.push({ key: `k${j % 17}`, value: `${j}` });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();

  const received = [];
  const members = {};
  const consumers = [0, 1].map(() => kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, rebalanceTimeout: 10000 }));
  let resolveDone;
  const done = new Promise((resolve) => { resolveDone = resolve; });
  for (const [index, consumer] of consumers.entries()) {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({ member: index, partition, offset: Number(message.offset), value: message.value.toString() });
        members[index] = (members[index] || 0) + 1;
        if (received.length >= count) resolveDone();
      },
    });
  }
  await done;
  for (const consumer of consumers) await consumer.disconnect();

  const admin2 = kafka.admin();
  await admin2.connect();
  const committed = await admin2.fetchOffsets({ groupId, topics: [topic] });
  await admin2.disconnect();
  const committedTotal = committed[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);

  console.log(JSON.stringify({ listed: listed.includes(topic), received, members, committedTotal }));
}

const timer = setTimeout(() => { console.error(`timed out after ${timeoutMs} ms`); process.exit(3); }, timeoutMs);
main().then(() => { clearTimeout(timer); process.exit(0); }).catch((e) => { console.error(e && e.stack || e); process.exit(1); });
