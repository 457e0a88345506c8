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

    /** The WebSocket frame {@code {"type":"records","records":[...]}} as UTF-8 text. */
    String recordsFrame(String topic, int partition, List<LogRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + records.size() * 256);
        try (JsonGenerator g = ProduceRequestParser.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "records");
            g.writeArrayFieldStart("records");
            writeRecords(g, topic, partition, records);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    void writeRecords(JsonGenerator g, String topic, int partition, List<LogRecord> records) throws IOException {
        for (LogRecord r : records) {
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
