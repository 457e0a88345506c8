package io.sluice.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cache values: each metadata record as one Base64 string. Strings need no marshaller setup in
 * Infinispan (Java serialization would need an allow-list), and their {@code equals} is what the
 * conditional writes compare, so the encoding is canonical: one record, one string (topic config
 * sorted by key). Each value starts with a kind byte and a version byte so a newer broker can
 * refuse, by name, a value it does not understand.
 *
 * <pre>
 * value  := kind:u8 version:u8 fields...
 * string := length:i32 utf8-bytes        (length -1: null)
 * list   := count:i32 i32...
 * BrokerInfo     (kind 1): id host httpPort replicationHost replicationPort rack
 * ClusterTopic   (kind 2): name id partitions replicationFactor createdAtMs configCount (key value)...
 * PartitionState (kind 3): topic topicId partition leader leaderEpoch partitionEpoch replicas isr targetReplicas
 * Tombstone      (kind 4): topicId name deletedAtMs
 * Drain          (kind 5): brokerId requestedAtMs
 * </pre>
 */
final class MetadataCodec {
    static final byte KIND_BROKER = 1;
    static final byte KIND_TOPIC = 2;
    static final byte KIND_PARTITION = 3;
    static final byte KIND_TOMBSTONE = 4;
    static final byte KIND_DRAIN = 5;
    /** Version 1: the fields above. */
    static final byte VERSION = 1;
    private static final int NULL_LENGTH = -1;
    /** No metadata string, list or map comes near this; a larger length is damage, not data. */
    private static final int MAX_LENGTH = 1 << 20;

    /** A deleted topic, remembered so that a broker that was away cannot bring it back. */
    record Tombstone(String topicId, String name, long deletedAtMs) {
    }

    /** A broker asked to hand its leaderships over (drain), and when it was asked. */
    record Drain(int brokerId, long requestedAtMs) {
    }

    private MetadataCodec() {
    }

    static String encode(BrokerInfo b) {
        return write(KIND_BROKER, out -> {
            out.writeInt(b.id());
            writeString(out, b.host());
            out.writeInt(b.httpPort());
            writeString(out, b.replicationHost());
            out.writeInt(b.replicationPort());
            writeString(out, b.rack());
        });
    }

    static String encode(ClusterTopic t) {
        return write(KIND_TOPIC, out -> {
            writeString(out, t.name());
            writeString(out, t.id());
            out.writeInt(t.partitions());
            out.writeInt(t.replicationFactor());
            out.writeLong(t.createdAtMs());
            Map<String, String> sorted = new TreeMap<>(t.config());
            out.writeInt(sorted.size());
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        });
    }

    static String encode(PartitionState p) {
        return write(KIND_PARTITION, out -> {
            writeString(out, p.topic());
            writeString(out, p.topicId());
            out.writeInt(p.partition());
            out.writeInt(p.leader());
            out.writeInt(p.leaderEpoch());
            out.writeInt(p.partitionEpoch());
            writeList(out, p.replicas());
            writeList(out, p.isr());
            writeList(out, p.targetReplicas());
        });
    }

    static String encode(Tombstone t) {
        return write(KIND_TOMBSTONE, out -> {
            writeString(out, t.topicId());
            writeString(out, t.name());
            out.writeLong(t.deletedAtMs());
        });
    }

    static String encode(Drain d) {
        return write(KIND_DRAIN, out -> {
            out.writeInt(d.brokerId());
            out.writeLong(d.requestedAtMs());
        });
    }

    static Drain decodeDrain(String value) {
        return read(value, KIND_DRAIN, in -> new Drain(in.readInt(), in.readLong()));
    }

    static BrokerInfo decodeBroker(String value) {
        return read(value, KIND_BROKER, in -> new BrokerInfo(in.readInt(), readString(in), in.readInt(),
                readString(in), in.readInt(), readString(in)));
    }

    static ClusterTopic decodeTopic(String value) {
        return read(value, KIND_TOPIC, in -> {
            String name = readString(in);
            String id = readString(in);
            int partitions = in.readInt();
            int rf = in.readInt();
            long created = in.readLong();
            int n = readCount(in);
            Map<String, String> config = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                config.put(readString(in), readString(in));
            }
            return new ClusterTopic(name, id, partitions, rf, config, created);
        });
    }

    static PartitionState decodePartition(String value) {
        return read(value, KIND_PARTITION, in -> new PartitionState(readString(in), readString(in), in.readInt(),
                in.readInt(), in.readInt(), in.readInt(), readList(in), readList(in), readList(in)));
    }

    static Tombstone decodeTombstone(String value) {
        return read(value, KIND_TOMBSTONE, in -> new Tombstone(readString(in), readString(in), in.readLong()));
    }

    /** The key of a partition state: the topic name and partition, which the value repeats. */
    static String key(TopicPartition tp) {
        return tp.topic() + "/" + tp.partition();
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static String write(byte kind, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(kind);
            out.writeByte(VERSION);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static <T> T read(String value, byte kind, Reader<T> reader) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metadata value is not Base64: " + e.getMessage());
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte k = in.readByte();
            byte v = in.readByte();
            if (k != kind || v != VERSION) {
                throw new IllegalArgumentException("metadata value kind=" + k + " version=" + v + ", expected kind="
                        + kind + " version=" + VERSION);
            }
            T result = reader.read(in);
            if (in.available() != 0) {
                throw new IllegalArgumentException("metadata value kind=" + kind + " has " + in.available()
                        + " trailing bytes");
            }
            return result;
        } catch (IOException e) {
            throw new IllegalArgumentException("metadata value kind=" + kind + " is truncated", e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(NULL_LENGTH);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == NULL_LENGTH) {
            return null;
        }
        if (length < 0 || length > Math.min(MAX_LENGTH, in.available())) {
            throw new IllegalArgumentException("metadata string length=" + length + ", remaining=" + in.available());
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void writeList(DataOutputStream out, List<Integer> list) throws IOException {
        out.writeInt(list.size());
        for (int i : list) {
            out.writeInt(i);
        }
    }

    private static List<Integer> readList(DataInputStream in) throws IOException {
        int n = readCount(in);
        List<Integer> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(in.readInt());
        }
        return list;
    }

    private static int readCount(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > Math.min(MAX_LENGTH, in.available())) {
            throw new IllegalArgumentException("metadata count=" + n + ", remaining=" + in.available());
        }
        return n;
    }
}
