package io.sluice.bench;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * End-to-end latency through Sluice at a fixed rate: REST produce (open loop, paced by
 * {@link LatencyProbe}) into a fresh one-partition topic, read back by one WebSocket reader from
 * offset 0. The records due in one 1 ms tick travel in one request (about 5 at 5,000/s), as
 * Kafka's producer puts what is waiting in one batch; requests do not wait for each other.
 */
final class SluiceLatency implements Command {

    @Override
    public Result run(Args args) throws Exception {
        URI url = Benchmarks.brokerUrl(args);
        String topic = args.required("topic");
        String acks = args.string("acks", "all");
        int maxBatch = args.integer("max-batch", 100);
        int connections = args.integer("connections", 16);
        int credits = args.integer("credits", 10_000);
        LatencyProbe.Settings settings = LatencyProbe.Settings.from(args);
        args.requireAllRead();

        // two event loops: the reader's arrival times must not queue behind the producer's sends
        Vertx vertx = Benchmarks.vertx(2);
        LatencyProbe probe = new LatencyProbe(settings);
        try {
            SluiceRest rest = new SluiceRest(vertx, url, connections);
            Benchmarks.await(rest.createTopic(topic, 1), Duration.ofSeconds(30));
            String query = "topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8)
                    + "&partition=0&offset=0&format=binary";
            ConsumeSocket socket = Benchmarks.await(ConsumeSocket.open(vertx, url, query, credits, probe::arrived,
                    new ConsumeSocket.Listener() {
                        @Override
                        public void onRecords(int count, long lastOffset) {
                        }

                        @Override
                        public void onFailure(Throwable failure) {
                            probe.consumerFailed(failure);
                        }
                    }), Duration.ofSeconds(30));
            Producer producer = new Producer(vertx, rest, topic, acks, maxBatch, settings.recordSize(), probe);
            vertx.getOrCreateContext().runOnContext(ignored -> producer.start());
            probe.awaitDrained();
            socket.close();
        } finally {
            Benchmarks.close(vertx);
        }
        return probe.result();
    }

    /** The paced REST producer; runs on its own event loop. */
    private static final class Producer {

        private final Vertx vertx;
        private final SluiceRest rest;
        private final String topic;
        private final String acks;
        private final int maxBatch;
        private final LatencyProbe probe;
        /** One record object whose base64 value is re-stamped in place each tick. */
        private final byte[] recordJson;

        Producer(Vertx vertx, SluiceRest rest, String topic, String acks, int maxBatch, int recordSize,
                 LatencyProbe probe) {
            this.vertx = vertx;
            this.rest = rest;
            this.topic = topic;
            this.acks = acks;
            this.maxBatch = maxBatch;
            this.probe = probe;
            this.recordJson = ProduceBody.recordJson(StampedValue.template(recordSize), "binary");
        }

        void start() {
            probe.start();
            vertx.setPeriodic(1, this::tick);
        }

        private void tick(long timerId) {
            long now = System.nanoTime();
            int due = probe.due(now);
            if (due < 0) {
                vertx.cancelTimer(timerId);
                return;
            }
            StampedValue.stampBase64(recordJson, ProduceBody.VALUE_OFFSET, now);
            while (due > 0) {
                int count = Math.min(due, maxBatch);
                send(count, now);
                due -= count;
            }
        }

        private void send(int count, long stampNanos) {
            probe.sent(count);
            rest.produce(topic, acks, "binary", ProduceBody.batch(recordJson, count)).onComplete(reply -> {
                if (reply.failed()) {
                    probe.sendFailed(count, reply.cause());
                } else if (reply.result().status() != 200) {
                    probe.sendFailed(count, new IllegalStateException("produce: " + reply.result()));
                } else {
                    probe.acknowledged(stampNanos, System.nanoTime());
                }
            });
        }
    }
}
