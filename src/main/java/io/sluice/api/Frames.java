package io.sluice.api;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import io.sluice.cluster.TopicPartition;
import io.sluice.group.CommittedOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The small control frames of the WebSocket protocol (API.md), written as JSON text. */
final class Frames {
    private Frames() {
    }

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static String object(String type, Body body) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = ProduceRequestParser.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String error(String id, String code, String message) {
        return object("error", g -> {
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeStringField("code", code);
            g.writeStringField("message", ServerPaths.redact(message));
        });
    }

    /** {@code assigned}: the partitions now read and where each starts. */
    static String assigned(List<ConsumeRequest.Start> partitions) {
        return object("assigned", g -> {
            g.writeArrayFieldStart("partitions");
            for (ConsumeRequest.Start p : partitions) {
                g.writeStartObject();
                g.writeStringField("topic", p.topic());
                g.writeNumberField("partition", p.partition());
                g.writeNumberField("offset", p.offset());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** {@code revoked}: partitions no longer read; nothing more of them follows. */
    static String revoked(List<TopicPartition> partitions) {
        return object("revoked", g -> {
            g.writeArrayFieldStart("partitions");
            for (TopicPartition p : partitions) {
                g.writeStartObject();
                g.writeStringField("topic", p.topic());
                g.writeNumberField("partition", p.partition());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** {@code committed}: the offsets a commit wrote, in topic and partition order. */
    static String committed(Map<TopicPartition, CommittedOffset> offsets) {
        List<TopicPartition> order = new ArrayList<>(offsets.keySet());
        order.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        return object("committed", g -> {
            g.writeArrayFieldStart("offsets");
            for (TopicPartition p : order) {
                g.writeStartObject();
                g.writeStringField("topic", p.topic());
                g.writeNumberField("partition", p.partition());
                g.writeNumberField("offset", offsets.get(p).offset());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }
}
