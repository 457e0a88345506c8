package io.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One server message of a group member on {@code /ws/consume}. A {@code records} message is read
 * as a stream, each record's partition and offset handed to a {@link RecordSink} and its value
 * skipped by the tokenizer (a 1 KiB value is never copied into a String); any other message
 * ({@code assigned}, {@code revoked}, {@code committed}, {@code error}) is small and parsed whole.
 */
final class GroupFrame {

    private static final JsonFactory JSON = new JsonFactory();

    /** Receives each record of a records message: its partition and offset. */
    interface RecordSink {
        void accept(int partition, long offset);
    }

    /** The message type, the number of records (records messages) or the whole message (others). */
    record Parsed(String type, int records, JsonObject other) {

        boolean isRecords() {
            return "records".equals(type);
        }
    }

    private GroupFrame() {
    }

    static Parsed parse(byte[] json, RecordSink sink) throws IOException {
        // Records messages start with their type, as the broker writes them; others are parsed whole.
        if (!startsWithRecordsType(json)) {
            JsonObject other = new JsonObject(new String(json, StandardCharsets.UTF_8));
            return new Parsed(other.getString("type"), 0, other);
        }
        try (JsonParser parser = JSON.createParser(json)) {
            parser.nextToken();
            int records = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("records") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        records++;
                        readRecord(parser, sink);
                    }
                } else {
                    parser.skipChildren();
                }
            }
            return new Parsed("records", records, null);
        }
    }

    private static boolean startsWithRecordsType(byte[] json) {
        String head = new String(json, 0, Math.min(json.length, 40), StandardCharsets.US_ASCII).replace(" ", "");
        return head.startsWith("{\"type\":\"records\"");
    }

    private static void readRecord(JsonParser parser, RecordSink sink) throws IOException {
        int partition = -1;
        long offset = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "partition" -> partition = parser.getIntValue();
                case "offset" -> offset = parser.getLongValue();
                default -> parser.skipChildren();
            }
        }
        sink.accept(partition, offset);
    }
}
