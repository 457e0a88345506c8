package io.sluice.bench;

import java.util.Map;

/**
 * Entry point of the load generator: runs one benchmark command and prints its {@link Result}
 * line, which {@code bench/run.sh} reads. Exit status 1 means the run could not be measured
 * (broker error, lost records, bad options); the reason goes to standard error.
 */
public final class Main {

    private static final Map<String, Command> COMMANDS = Map.ofEntries(
            Map.entry("produce", new ProduceThroughput()),
            Map.entry("consume", new ConsumeThroughput()),
            Map.entry("latency", new SluiceLatency()),
            Map.entry("tier-upload", new TierUpload()),
            Map.entry("tier-first-record", new TierFirstRecord()),
            Map.entry("catchup", new CatchUpRead()),
            Map.entry("kafka-latency", new KafkaLatency()),
            Map.entry("stress", new Stress()),
            Map.entry("stress-verify", new StressVerify()),
            Map.entry("await-leader", new AwaitLeader()),
            Map.entry("failover", new Failover()),
            Map.entry("group-consume", new GroupConsume()),
            Map.entry("group-rebalance", new GroupRebalance()),
            Map.entry("offsets-size", new OffsetsSize()));

    private Main() {
    }

    public static void main(String[] argv) {
        Command command = argv.length == 0 ? null : COMMANDS.get(argv[0]);
        if (command == null) {
            System.err.println("usage: loadgen " + String.join("|", COMMANDS.keySet()) + " --option value ...");
            System.exit(2);
        }
        try {
            Args args = Args.parse(argv, 1);
            Result result = command.run(args);
            result.print();
        } catch (Exception e) {
            System.err.println("loadgen " + argv[0] + " failed: " + e);
            System.exit(1);
        }
        // Vert.x and Kafka client threads are closed by the commands; exit does not wait for stragglers.
        System.exit(0);
    }
}
