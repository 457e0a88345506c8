package io.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.FetchedPartition;
import io.sluice.replication.Messages.FileRecords;
import io.sluice.replication.Messages.HeapRecords;
import io.sluice.replication.Messages.ReadResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec();

    @TempDir
    Path dir;

    @Test
    void everyTypeRoundTrips() throws IOException {
        for (Map.Entry<FrameType, Object> sample : Samples.all().entrySet()) {
            byte[] wire = Frames.flatten(codec.encode(sample.getKey(), 77, sample.getValue()));
            assertEquals(wire.length - FrameDescriptor.LENGTH_LENGTH, ByteBuffer.wrap(wire).getInt(),
                    "length prefix of " + sample.getKey());
            assertEquals(FrameDescriptor.VERSION_1, wire[FrameDescriptor.VERSION_OFFSET]);
            assertEquals(sample.getKey().code(), wire[FrameDescriptor.TYPE_OFFSET]);
            Frame decoded = codec.decode(Frames.body(wire));
            assertEquals(new Frame(sample.getKey(), 77, sample.getValue()), decoded, sample.getKey().toString());
        }
    }

    @Test
    void fileRegionsAreCountedInTheLengthAndDecodeAsTheirBytes() throws IOException {
        byte[] content = new byte[20_000];
        new Random(11).nextBytes(content);
        Path segment = Files.write(dir.resolve("00000000000000000000.log"), content);
        FetchResponse response = new FetchResponse(List.of(
                new FetchedPartition(Samples.ORDERS, null, 1, 2, 3, 4, 5, new FileRecords(segment, 100, 9000)),
                new FetchedPartition(Samples.NON_ASCII, null, 1, 2, 3, 4, 5, Samples.heap(50, 1))));
        EncodedFrame frame = codec.encode(FrameType.FETCH_RESPONSE, 1, response);
        assertTrue(frame.hasRegions());
        FetchResponse decoded = (FetchResponse) codec.decode(Frames.body(Frames.flatten(frame))).message();
        assertArrayEquals(Arrays.copyOfRange(content, 100, 9100), Frames.bytesOf(decoded.partitions().get(0).records()));
        assertEquals(Samples.heap(50, 1), decoded.partitions().get(1).records());
    }

    @Test
    void aFrameOverTheLimitIsNotEncoded() {
        FrameCodec small = new FrameCodec(1024);
        ReadResponse big = new ReadResponse(null, 0, 0, 0, Samples.heap(2000, 1));
        SluiceException e = assertThrows(SluiceException.class, () -> small.encode(FrameType.READ_RESPONSE, 1, big));
        assertEquals(ErrorCode.REQUEST_TOO_LARGE, e.code());
    }

    @Test
    void lengthsOutsideTheLimitAreRefusedBeforeAnythingIsRead() {
        for (int claimed : new int[] {Integer.MIN_VALUE, -1, 0, FrameDescriptor.BODY_HEADER_LENGTH - 1,
                FrameDescriptor.DEFAULT_MAX_FRAME_BYTES - FrameDescriptor.LENGTH_LENGTH + 1, 1 << 30,
                Integer.MAX_VALUE}) {
            assertThrows(FrameDecodeException.class, () -> codec.checkBodyLength(claimed), "length " + claimed);
        }
        assertEquals(FrameDescriptor.BODY_HEADER_LENGTH, codec.checkBodyLength(FrameDescriptor.BODY_HEADER_LENGTH));
    }

    @Test
    void unknownVersionsAndTypesAreRefused() throws IOException {
        byte[] wire = Frames.flatten(codec.encode(FrameType.READ, 1, Samples.readRequest()));
        for (byte version : new byte[] {0, 2, -1, 127}) {
            byte[] changed = wire.clone();
            changed[FrameDescriptor.VERSION_OFFSET] = version;
            assertThrows(FrameDecodeException.class, () -> codec.decode(Frames.body(changed)), "version " + version);
        }
        for (byte type : new byte[] {0, 13, 15, 16, 99, -1, Byte.MIN_VALUE}) {
            byte[] changed = wire.clone();
            changed[FrameDescriptor.TYPE_OFFSET] = type;
            assertThrows(FrameDecodeException.class, () -> codec.decode(Frames.body(changed)), "type " + type);
        }
    }

    @Test
    void countsAndLengthsThatClaimMoreThanTheFrameHoldsAreRefused() throws IOException {
        byte[] fetch = Frames.flatten(codec.encode(FrameType.FETCH, 1, Samples.fetchRequest()));
        int countAt = FrameDescriptor.PAYLOAD_OFFSET + 3 * Integer.BYTES;
        for (int count : new int[] {3, 1000, 1 << 30, Integer.MAX_VALUE, -1}) {
            byte[] changed = fetch.clone();
            ByteBuffer.wrap(changed).putInt(countAt, count);
            FrameDecodeException e = assertThrows(FrameDecodeException.class, () -> codec.decode(Frames.body(changed)));
            assertTrue(e.getMessage().contains("partitions"), e.getMessage());
        }
        byte[] read = Frames.flatten(codec.encode(FrameType.READ_RESPONSE, 1, Samples.readResponse()));
        int recordsLengthAt = read.length - 300 - Integer.BYTES;
        for (int length : new int[] {301, 1 << 30, Integer.MAX_VALUE, -1}) {
            byte[] changed = read.clone();
            ByteBuffer.wrap(changed).putInt(recordsLengthAt, length);
            assertThrows(FrameDecodeException.class, () -> codec.decode(Frames.body(changed)), "records " + length);
        }
        byte[] stringTooLong = fetch.clone();
        ByteBuffer.wrap(stringTooLong).putShort(countAt + Integer.BYTES, Short.MAX_VALUE);
        assertThrows(FrameDecodeException.class, () -> codec.decode(Frames.body(stringTooLong)));
    }

    @Test
    void truncatedAndPaddedPayloadsAreRefused() throws IOException {
        for (Map.Entry<FrameType, Object> sample : Samples.all().entrySet()) {
            byte[] wire = Frames.flatten(codec.encode(sample.getKey(), 1, sample.getValue()));
            for (int cut = FrameDescriptor.HEADER_LENGTH; cut < wire.length; cut += Math.max(1, wire.length / 50)) {
                ByteBuffer truncated = ByteBuffer.wrap(wire, FrameDescriptor.LENGTH_LENGTH,
                        cut - FrameDescriptor.LENGTH_LENGTH).slice();
                assertThrows(FrameDecodeException.class, () -> codec.decode(truncated), sample.getKey() + " cut at " + cut);
            }
            byte[] padded = Arrays.copyOf(wire, wire.length + 1);
            assertThrows(FrameDecodeException.class, () -> codec.decode(Frames.body(padded)), sample.getKey() + " padded");
        }
    }

    @Test
    void stringsThatAreNotUtf8AreRefused() throws IOException {
        byte[] wire = Frames.flatten(codec.encode(FrameType.READ, 1, Samples.readRequest()));
        int topicAt = FrameDescriptor.PAYLOAD_OFFSET + Short.BYTES;
        wire[topicAt] = (byte) 0xC3; // a lead byte followed by an ASCII byte: malformed
        wire[topicAt + 1] = 'a';
        assertThrows(FrameDecodeException.class, () -> codec.decode(Frames.body(wire)));
    }

    @Test
    void recordsDecodeAsViewsThatLeaveTheRequestUntouched() throws IOException {
        HeapRecords records = Samples.heap(6000, 9);
        int before = records.bytes().position();
        byte[] wire = Frames.flatten(codec.encode(FrameType.READ_RESPONSE, 5,
                new ReadResponse(null, 1, 2, 3, records)));
        assertEquals(before, records.bytes().position(), "encoding must not consume the caller's buffer");
        ReadResponse decoded = (ReadResponse) codec.decode(Frames.body(wire)).message();
        assertEquals(records, decoded.records());
    }

    @Test
    void aGroupPayloadWithALyingLengthIsRefused() throws IOException {
        byte[] wire = Frames.flatten(codec.encode(FrameType.GROUP, 9, Samples.groupRequest()));
        int payloadLengthAt = wire.length - 700 - Integer.BYTES;
        assertEquals(700, ByteBuffer.wrap(wire).getInt(payloadLengthAt));
        for (int length : new int[] {701, FrameDescriptor.MAX_GROUP_PAYLOAD_BYTES + 1, 1 << 30, Integer.MAX_VALUE,
                -1}) {
            byte[] changed = wire.clone();
            ByteBuffer.wrap(changed).putInt(payloadLengthAt, length);
            assertThrows(FrameDecodeException.class, () -> codec.decode(Frames.body(changed)), "payload " + length);
        }
    }

    @Test
    void aGroupPayloadOverItsLimitIsNeitherEncodedNorDecoded() throws IOException {
        ByteBuffer big = ByteBuffer.allocate(FrameDescriptor.MAX_GROUP_PAYLOAD_BYTES + 1);
        SluiceException e = assertThrows(SluiceException.class, () -> codec.encode(FrameType.GROUP, 1,
                new Messages.GroupRequest(1, "g", 0, big)));
        assertEquals(ErrorCode.REQUEST_TOO_LARGE, e.code());
        // a peer that sends one anyway, with an honest length: still refused
        ByteBuffer body = ByteBuffer.allocate(FrameDescriptor.BODY_HEADER_LENGTH + 4 + 2 + 1 + 4 + 4 + big.capacity());
        body.put(FrameDescriptor.VERSION_1).put(FrameType.GROUP.code()).putInt(1).putInt(1).putShort((short) 1)
                .put((byte) 'g').putInt(0).putInt(big.capacity());
        body.rewind();
        assertThrows(FrameDecodeException.class, () -> codec.decode(body));
    }
}
