package io.sluice.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code stress-verify}: reads back the records a {@code stress} run had acknowledged (its
 * {@code --acked} file), typically after the broker was restarted, and counts those not at their
 * offset with their value.
 */
final class StressVerify implements Command {

    @Override
    public Result run(Args args) throws Exception {
        URI base = URI.create(args.required("url"));
        Path ackedFile = Path.of(args.required("acked"));
        args.requireAllRead();
        List<ProbeProducer.Acked> acked = ProbeProducer.read(ackedFile);
        Map<String, Long> lost = ProbeProducer.lostByPhase(base, Stress.PROBE_TOPIC, acked);
        long total = lost.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder byPhase = new StringBuilder();
        lost.forEach((phase, n) -> byPhase.append(byPhase.length() == 0 ? "" : ",").append(phase).append(':').append(n));
        return new Result().put("acked", acked.size()).put("lost", total)
                .put("lost_by_phase", byPhase.length() == 0 ? "none" : byPhase.toString());
    }
}
