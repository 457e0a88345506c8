package io.sluice.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end latency through Kafka at a fixed rate, with the same {@link LatencyProbe} as
 * {@link SluiceLatency}: a KafkaProducer (acks=all, linger.ms=0) sends what each 1 ms tick owes
 * into a fresh one-partition topic; a KafkaConsumer assigned to partition 0 reads it from the
 * start. Kafka's own EndToEndLatency tool sends one record and waits for it before the next, so
 * it measures an idle broker; this probe offers the same open-loop load to both brokers.
 */
final class KafkaLatency implements Command {

    @Override
    public Result run(Args args) throws Exception {
        String bootstrap = args.string("bootstrap", "127.0.0.1:9092");
        String topic = args.required("topic");
        String acks = args.string("acks", "all");
        // Kafka's default; a run that falls behind then sends at most this much per request
        int batchBytes = args.integer("batch-bytes", 16_384);
        LatencyProbe.Settings settings = LatencyProbe.Settings.from(args);
        args.requireAllRead();

        LatencyProbe probe = new LatencyProbe(settings);
        TopicPartition partition = new TopicPartition(topic, 0);
        Reader reader = new Reader(consumer(bootstrap), partition, probe);
        Thread readerThread = new Thread(reader, "latency-reader");
        readerThread.start();
        reader.ready.await(30, TimeUnit.SECONDS);

        byte[] template = StampedValue.template(settings.recordSize());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, acks, batchBytes)) {
            ticker.execute(probe::start);
            ticker.scheduleAtFixedRate(() -> tick(producer, topic, template, probe), 1, 1, TimeUnit.MILLISECONDS);
            probe.awaitDrained();
        } finally {
            ticker.shutdownNow();
            reader.stop();
            readerThread.join(10_000);
        }
        return probe.result();
    }

    private static void tick(KafkaProducer<byte[], byte[]> producer, String topic, byte[] template,
                             LatencyProbe probe) {
        long now = System.nanoTime();
        int due = probe.due(now);
        for (int i = 0; i < due; i++) {
            byte[] value = template.clone();
            StampedValue.stamp(value, now);
            probe.sent(1);
            try {
                producer.send(new ProducerRecord<>(topic, 0, null, value), (metadata, error) -> {
                    if (error != null) {
                        probe.sendFailed(1, error);
                    } else {
                        probe.acknowledged(now, System.nanoTime());
                    }
                });
            } catch (RuntimeException e) {
                probe.sendFailed(1, e);
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, String acks, int batchBytes) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.BATCH_SIZE_CONFIG, batchBytes,
                // Kafka 4 defaults to 5 ms; the Sluice probe sends at once too
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls partition 0 from its start on its own thread until stopped. */
    private static final class Reader implements Runnable {

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final TopicPartition partition;
        private final LatencyProbe probe;
        private final CountDownLatch ready = new CountDownLatch(1);
        private volatile boolean running = true;

        Reader(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, LatencyProbe probe) {
            this.consumer = consumer;
            this.partition = partition;
            this.probe = probe;
        }

        @Override
        public void run() {
            try (consumer) {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                // resolves the position now, so the first poll after the first send has nothing to look up
                consumer.position(partition);
                ready.countDown();
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    long arrival = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        probe.arrived(StampedValue.read(record.value()), arrival);
                    }
                }
            } catch (WakeupException e) {
                // stop() woke the poll: the normal way out
            } catch (RuntimeException e) {
                probe.consumerFailed(e);
            } finally {
                ready.countDown();
            }
        }

        void stop() {
            running = false;
            consumer.wakeup();
        }
    }
}
