package io.sluice.bench;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * Request bodies for {@code POST /topics/{t}/records}: {@code {"records":[{"value":"..."},...]}}.
 * Throughput runs encode one body once and send it again and again, so the load generator
 * spends its CPU on the wire, not on JSON.
 */
final class ProduceBody {

    /** Where the encoded value starts inside {@link #recordJson}; latency probes patch it in place. */
    static final int VALUE_OFFSET = "{\"value\":\"".length();

    private static final byte[] OPEN = "{\"records\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "]}".getBytes(StandardCharsets.US_ASCII);

    private ProduceBody() {
    }

    /**
     * Uppercase ASCII letters from a fixed seed: the payload Kafka's ProducerPerformance sends,
     * so both brokers store the same kind of bytes (neither side compresses).
     */
    static byte[] letters(int size, long seed) {
        Random random = new Random(seed);
        byte[] value = new byte[size];
        for (int i = 0; i < size; i++) {
            value[i] = (byte) ('A' + random.nextInt(26));
        }
        return value;
    }

    /**
     * One record object. {@code binary} base64-encodes the bytes; {@code string} sends them as a
     * JSON string, which is only valid for bytes that need no escaping, such as {@link #letters}.
     */
    static byte[] recordJson(byte[] value, String format) {
        String encoded = switch (format) {
            case "binary" -> Base64.getEncoder().encodeToString(value);
            case "string" -> requirePlainAscii(value);
            default -> throw new IllegalArgumentException("format must be binary or string: " + format);
        };
        return ("{\"value\":\"" + encoded + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    /** A body holding {@code count} copies of one record object. */
    static Buffer batch(byte[] recordJson, int count) {
        Buffer body = Buffer.buffer(OPEN.length + count * (recordJson.length + 1) + CLOSE.length);
        body.appendBytes(OPEN);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                body.appendByte((byte) ',');
            }
            body.appendBytes(recordJson);
        }
        return body.appendBytes(CLOSE);
    }

    private static String requirePlainAscii(byte[] value) {
        for (byte b : value) {
            if (b < 0x20 || b == '"' || b == '\\' || b > 0x7e) {
                throw new IllegalArgumentException("format=string needs printable ASCII without quotes or backslashes");
            }
        }
        return new String(value, StandardCharsets.US_ASCII);
    }
}
