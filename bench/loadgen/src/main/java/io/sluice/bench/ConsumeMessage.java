package io.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * A streaming read of one server message on {@code /ws/consume}, or of a REST fetch reply (the
 * same {@code records} array, no type). Only the message type, the number of records, the last
 * offset and (for latency probes) the stamps in the values are materialized: a 1 KiB value is
 * skipped by the tokenizer, never copied into a String, so the reader keeps up with the broker.
 */
final class ConsumeMessage {

    private static final JsonFactory JSON = new JsonFactory();

    /** Receives the stamp of each record's value, in order. */
    interface StampSink {
        void accept(long stampNanos);
    }

    /** What a message said; {@code records} is 0 and {@code lastOffset} -1 for non-record messages. */
    record Parsed(String type, int records, long lastOffset, String error) {

        boolean isRecords() {
            return "records".equals(type);
        }

        boolean isError() {
            return "error".equals(type);
        }
    }

    private ConsumeMessage() {
    }

    /** Parses {@code json[0..length)}; {@code stamps} may be null when values are not probes. */
    static Parsed parse(byte[] json, int length, StampSink stamps) throws IOException {
        try (JsonParser parser = JSON.createParser(json, 0, length)) {
            expect(parser, parser.nextToken(), JsonToken.START_OBJECT);
            String type = null;
            String code = null;
            String message = null;
            int records = 0;
            long lastOffset = -1;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "type" -> type = parser.getText();
                    case "code" -> code = parser.getText();
                    case "message" -> message = parser.getText();
                    case "records" -> {
                        expect(parser, value, JsonToken.START_ARRAY);
                        while (parser.nextToken() == JsonToken.START_OBJECT) {
                            records++;
                            lastOffset = readRecord(parser, stamps, lastOffset);
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            return new Parsed(type, records, lastOffset, code == null ? null : code + ": " + message);
        }
    }

    /** Reads one record object and returns its offset (or {@code lastOffset} if it has none). */
    private static long readRecord(JsonParser parser, StampSink stamps, long lastOffset) throws IOException {
        long offset = lastOffset;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("offset")) {
                offset = parser.getLongValue();
            } else if (field.equals("value") && stamps != null && value == JsonToken.VALUE_STRING) {
                stamps.accept(StampedValue.readBase64(
                        parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength()));
            } else {
                parser.skipChildren();
            }
        }
        return offset;
    }

    private static void expect(JsonParser parser, JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + " but found " + actual + " at " + parser.currentLocation());
        }
    }
}
