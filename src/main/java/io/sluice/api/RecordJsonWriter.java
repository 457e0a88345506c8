package io.sluice.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sluice.log.Header;
import io.sluice.log.LogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes records as the JSON objects of API.md: {@code topic, partition, offset, timestamp, key,
 * value, headers}, keys and values in the reader's chosen formats. A value read as {@code json}
 * that is not valid JSON (it was produced as binary, say) is returned as a JSON string of its
 * UTF-8 text rather than breaking the reply.
 */
final class RecordJsonWriter {
    private final Format valueFormat;
    private final Format keyFormat;

    RecordJsonWriter(Format valueFormat, Format keyFormat) {
        this.valueFormat = valueFormat;
        this.keyFormat = keyFormat;
    }

    private static final byte[] FRAME_START = "{\"type\":\"records\",\"records\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] FRAME_END = "]}".getBytes(StandardCharsets.UTF_8);

    /**
     * A records frame: its text, its size in UTF-8 bytes (what it costs in the socket's buffer),
     * how many records it holds and the offset after the last of them.
     */
    record Frame(String text, int bytes, int records, long nextOffset) {
    }

    /**
     * The WebSocket frame {@code {"type":"records","records":[...]}} with the first of
     * {@code records}, in order, that fit in {@code limitBytes}; always at least one, however
     * large, so a big record cannot stall its reader (the caller decides whether it can afford it).
     */
    Frame recordsFrame(String topic, int partition, List<LogRecord> records, int limitBytes) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a records frame needs at least one record");
        }
        FrameBuffer out = new FrameBuffer(Math.min(limitBytes, 256 + records.size() * 256));
        out.writeBytes(FRAME_START);
        int count = 0;
        try {
            for (LogRecord r : records) {
                int mark = out.size();
                if (count > 0) {
                    out.write(',');
                }
                try (JsonGenerator g = ProduceRequestParser.JSON.createGenerator(out)) {
                    writeRecord(g, topic, partition, r);
                }
                if (count > 0 && out.size() + FRAME_END.length > limitBytes) {
                    out.truncate(mark);
                    break;
                }
                count++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.writeBytes(FRAME_END);
        return new Frame(out.toString(StandardCharsets.UTF_8), out.size(), count, records.get(count - 1).offset() + 1);
    }

    /** A byte buffer that can drop what was written after a mark: the record that did not fit. */
    private static final class FrameBuffer extends ByteArrayOutputStream {
        FrameBuffer(int initialSize) {
            super(initialSize);
        }

        void truncate(int size) {
            count = size;
        }
    }

    void writeRecords(JsonGenerator g, String topic, int partition, List<LogRecord> records) throws IOException {
        for (LogRecord r : records) {
            writeRecord(g, topic, partition, r);
        }
    }

    private void writeRecord(JsonGenerator g, String topic, int partition, LogRecord r) throws IOException {
        g.writeStartObject();
        g.writeStringField("topic", topic);
        g.writeNumberField("partition", partition);
        g.writeNumberField("offset", r.offset());
        g.writeNumberField("timestamp", r.timestamp());
        g.writeFieldName("key");
        writeBytes(g, r.key(), keyFormat);
        g.writeFieldName("value");
        writeBytes(g, r.value(), valueFormat);
        g.writeObjectFieldStart("headers");
        for (Header h : r.headers()) {
            g.writeFieldName(h.key());
            if (h.value() == null) {
                g.writeNull();
            } else if (valueFormat == Format.BINARY) {
                g.writeBinary(h.value());
            } else {
                g.writeString(new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeBytes(JsonGenerator g, byte[] bytes, Format format) throws IOException {
        if (bytes == null) {
            g.writeNull();
            return;
        }
        switch (format) {
            case BINARY -> g.writeBinary(bytes); // Jackson's default variant is standard base64, padded, one line
            case STRING -> g.writeString(new String(bytes, StandardCharsets.UTF_8));
            case JSON -> {
                if (isSingleJsonValue(bytes)) {
                    g.writeRawValue(new String(bytes, StandardCharsets.UTF_8));
                } else {
                    g.writeString(new String(bytes, StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static boolean isSingleJsonValue(byte[] bytes) {
        try (JsonParser p = ProduceRequestParser.JSON.createParser(bytes)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
