package io.sluice.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.sluice.broker.ProduceRecord;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.Header;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads produce requests with a streaming parser, straight into {@link ProduceRecord}s: the JSON
 * batch form {@code {"records":[...]}} and NDJSON (one record object per line). Every error names
 * the record it is in; nothing is appended unless the whole body parses.
 */
final class ProduceRequestParser {
    static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(64 * 1024 * 1024).build())
            .build();

    /** A record with the client's optional correlation id (used by the WebSocket producer). */
    record ParsedRecord(String id, ProduceRecord record) {
    }

    /** Records reserved for at a time: the memory of the next block is reserved before its first record is read. */
    static final int RECORD_BLOCK = 1024;

    /** Takes the memory of more parsed records, or throws (the request is refused, nothing written). */
    @FunctionalInterface
    interface RecordMemory {
        RecordMemory UNBOUNDED = records -> { };

        void reserve(int records);
    }

    private final Format valueFormat;
    private final Format keyFormat;
    private final int maxRecords;
    private final RecordMemory memory;

    /** A parser of bodies of at most {@code maxRecords} records: the next one is refused before it is read. */
    ProduceRequestParser(Format valueFormat, Format keyFormat, int maxRecords) {
        this(valueFormat, keyFormat, maxRecords, RecordMemory.UNBOUNDED);
    }

    /** As above, reserving the records' memory from {@code memory} a block at a time as they are read. */
    ProduceRequestParser(Format valueFormat, Format keyFormat, int maxRecords, RecordMemory memory) {
        this.valueFormat = valueFormat;
        this.keyFormat = keyFormat;
        this.maxRecords = maxRecords;
        this.memory = memory;
    }

    private void checkCount(List<ProduceRecord> records) {
        if (records.size() == maxRecords) {
            throw new SluiceException(ErrorCode.REQUEST_TOO_LARGE, "a produce request may carry at most " + maxRecords
                    + " records; this one has more. Nothing was written: send them in several requests");
        }
        if (records.size() % RECORD_BLOCK == 0) {
            memory.reserve(Math.min(RECORD_BLOCK, maxRecords - records.size()));
        }
    }

    List<ProduceRecord> parseBatch(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("the body must be a JSON object {\"records\":[...]}");
            }
            List<ProduceRecord> records = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("records")) {
                    throw invalid("unknown field '" + field + "' in the produce request; expected 'records'");
                }
                if (p.currentToken() != JsonToken.START_ARRAY) {
                    throw invalid("'records' must be an array");
                }
                records = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    checkCount(records);
                    records.add(parseRecord(p, records.size()).record());
                }
            }
            if (p.nextToken() != null) {
                throw invalid("unexpected content after the request object");
            }
            if (records == null) {
                throw invalid("the produce request has no 'records' array");
            }
            return records;
        } catch (JsonProcessingException e) {
            throw invalid("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("unreadable body: " + e.getMessage());
        }
    }

    List<ProduceRecord> parseNdjson(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            List<ProduceRecord> records = new ArrayList<>();
            while (p.nextToken() != null) {
                checkCount(records);
                records.add(parseRecord(p, records.size()).record());
            }
            return records;
        } catch (JsonProcessingException e) {
            throw invalid("malformed NDJSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("unreadable body: " + e.getMessage());
        }
    }

    /** One record object from a WebSocket text frame. */
    ParsedRecord parseSingle(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            p.nextToken();
            ParsedRecord r = parseRecord(p, 0);
            if (p.nextToken() != null) {
                throw invalid("unexpected content after the record object");
            }
            return r;
        } catch (JsonProcessingException e) {
            throw invalid("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid("unreadable message: " + e.getMessage());
        }
    }

    /**
     * The {@code id} of a record object that failed to parse, read leniently up to the first
     * problem; null when the text has no scalar id before it.
     */
    static String idOf(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("id")) {
                    return t.isScalarValue() && t != JsonToken.VALUE_NULL ? p.getText() : null;
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            // malformed before any id: there is none to report
        }
        return null;
    }

    /** Parses the object at the current START_OBJECT token, leaving the parser on its END_OBJECT. */
    private ParsedRecord parseRecord(JsonParser p, int index) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalid("record " + index + " must be a JSON object");
        }
        String id = null;
        Integer partition = null;
        Long timestamp = null;
        byte[] key = null;
        byte[] value = null;
        List<Header> headers = List.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "key" -> key = readBytes(p, keyFormat, index, "key");
                case "value" -> value = readBytes(p, valueFormat, index, "value");
                case "headers" -> headers = readHeaders(p, index);
                case "partition" -> partition = (int) readWholeNumber(p, index, "partition", Integer.MAX_VALUE);
                case "timestamp" -> timestamp = readWholeNumber(p, index, "timestamp", Long.MAX_VALUE);
                case "id" -> id = t == JsonToken.VALUE_NULL ? null : readScalarText(p, index);
                default -> throw invalid("record " + index + ": unknown field '" + field
                        + "' (expected key, value, headers, partition, timestamp, id)");
            }
        }
        return new ParsedRecord(id, new ProduceRecord(partition, key, value, timestamp, headers));
    }

    private static String readScalarText(JsonParser p, int index) throws IOException {
        if (!p.currentToken().isScalarValue()) {
            throw invalid("record " + index + ": id must be a string or a number");
        }
        return p.getText();
    }

    private static long readWholeNumber(JsonParser p, int index, String field, long max) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            throw invalid("record " + index + ": " + field + " must be a whole number, was null");
        }
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw invalid("record " + index + ": " + field + " must be a whole number, was " + describe(p));
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw invalid("record " + index + ": " + field + " is out of range: " + p.getText());
        }
        long v = p.getLongValue();
        if (v < 0 || v > max) {
            throw invalid("record " + index + ": " + field + " must be in [0, " + max + "], was " + v);
        }
        return v;
    }

    private static byte[] readBytes(JsonParser p, Format format, int index, String field) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        return switch (format) {
            case JSON -> compactJson(p);
            case STRING -> {
                requireString(p, index, field, "a JSON string (format=string)");
                yield p.getText().getBytes(StandardCharsets.UTF_8);
            }
            case BINARY -> {
                requireString(p, index, field, "a base64 string (format=binary)");
                yield decodeBase64(p.getText(), index, field);
            }
        };
    }

    private static void requireString(JsonParser p, int index, String field, String expected) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw invalid("record " + index + ": " + field + " must be " + expected + ", was " + describe(p));
        }
    }

    private static byte[] decodeBase64(String text, int index, String field) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw invalid("record " + index + ": " + field + " is not valid base64: " + e.getMessage());
        }
    }

    private static byte[] compactJson(JsonParser p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            // Exact: a plain copy goes through double, losing digits and turning 1e400 into "Infinity".
            g.copyCurrentStructureExact(p);
        }
        return out.toByteArray();
    }

    private List<Header> readHeaders(JsonParser p, int index) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalid("record " + index + ": headers must be an object of string values, was " + describe(p));
        }
        List<Header> headers = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            byte[] value;
            if (t == JsonToken.VALUE_NULL) {
                value = null;
            } else if (t != JsonToken.VALUE_STRING) {
                throw invalid("record " + index + ": header '" + name + "' must be a string, was " + describe(p));
            } else {
                value = valueFormat == Format.BINARY ? decodeBase64(p.getText(), index, "header '" + name + "'")
                        : p.getText().getBytes(StandardCharsets.UTF_8);
            }
            headers.add(new Header(name, value));
        }
        return headers;
    }

    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + p.getText();
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
