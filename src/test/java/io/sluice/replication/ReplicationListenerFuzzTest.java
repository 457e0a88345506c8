package io.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.replication.Messages.Error;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.FetchedPartition;
import io.sluice.replication.Messages.FileRecords;
import io.sluice.replication.Messages.Records;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication listener against a hostile or broken peer, over raw sockets: lying lengths,
 * truncated frames, unknown versions and types, counts that claim more than the frame holds,
 * random bytes, a peer that never reads. Each is refused (the connection closed, after an ERROR
 * reply when the frame was whole), the handler never sees it, memory does not follow the claimed
 * sizes, and a well-behaved client is served afterwards.
 */
class ReplicationListenerFuzzTest {
    private static final long SEED = 20261129L;
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(10);
    private static final int MAX_IN_FLIGHT = 4;

    @TempDir
    Path dir;

    private final RecordingHandler handler = new RecordingHandler();
    private final FrameCodec codec = new FrameCodec();
    private Vertx vertx;
    private ReplicationServer server;

    @BeforeEach
    void start() {
        System.out.println("ReplicationListenerFuzzTest seed " + SEED);
        vertx = Vertx.vertx();
        server = new ReplicationServer(vertx, ReplicationServer.Options.defaults("127.0.0.1", 0)
                .withMaxInFlightPerConnection(MAX_IN_FLIGHT), handler);
        server.start().join();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(64 * 1024); // a small window, so the kernel cannot soak up what the server holds back
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        return socket;
    }

    private static byte[] frame(int version, int type, int correlationId, byte[] payload) {
        return ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + payload.length)
                .putInt(FrameDescriptor.BODY_HEADER_LENGTH + payload.length).put((byte) version).put((byte) type)
                .putInt(correlationId).put(payload).array();
    }

    private byte[] encoded(FrameType type, int correlationId, Object message) throws IOException {
        return Frames.flatten(codec.encode(type, correlationId, message));
    }

    /** Sends the bytes, then the end of the stream; returns what the server answered before it closed. */
    private byte[] sendAndAwaitClose(byte[] bytes, boolean endStream) throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            if (endStream) {
                socket.shutdownOutput();
            }
            return Frames.readUntilClosed(socket, CLOSE_BOUND);
        }
    }

    private void assertErrorReply(byte[] reply, int correlationId) {
        assertTrue(reply.length > FrameDescriptor.HEADER_LENGTH, "an ERROR reply before the close");
        Frame frame = codec.decode(Frames.body(reply));
        assertEquals(FrameType.ERROR, frame.type());
        assertEquals(correlationId, frame.correlationId());
        assertEquals(ErrorCode.INVALID_REQUEST.name(), ((Error) frame.message()).code());
    }

    /** A well-behaved client is still served, and every refused connection is gone. */
    private void assertServerStillServes() throws Exception {
        try (ReplicationClient client = new ReplicationClient(vertx, ReplicationClient.Options.defaults("127.0.0.1"),
                "127.0.0.1", server.port())) {
            int before = handler.calls.get();
            assertEquals(Samples.produceResponse(), client.produce(Samples.produceRequest()).get(10, TimeUnit.SECONDS));
            assertEquals(before + 1, handler.calls.get());
        }
        Frames.upTo(10).until(() -> server.connectionCount() == 0);
    }

    private static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void lengthsOutsideTheLimitCloseTheConnectionBeforeTheBodyIsRead() throws Exception {
        int limit = FrameDescriptor.DEFAULT_MAX_FRAME_BYTES - FrameDescriptor.LENGTH_LENGTH;
        for (int claimed : new int[] {Integer.MIN_VALUE, -1, 0, 1, FrameDescriptor.BODY_HEADER_LENGTH - 1, limit + 1,
                1 << 30, Integer.MAX_VALUE}) {
            // the stream stays open: the server closes on the header alone, it does not wait for a body
            byte[] reply = sendAndAwaitClose(ByteBuffer.allocate(4).putInt(claimed).array(), false);
            assertEquals(0, reply.length, "no reply to a length of " + claimed);
        }
        assertEquals(0, handler.calls.get());
        assertServerStillServes();
    }

    @Test
    void lengthsThatClaimMoreThanWasSentReachNoHandler() throws Exception {
        byte[] whole = encoded(FrameType.FETCH, 1, Samples.fetchRequest());
        for (int claimed : new int[] {whole.length - 3, 1 << 20, FrameDescriptor.DEFAULT_MAX_PAYLOAD_BYTES}) {
            byte[] lying = whole.clone();
            ByteBuffer.wrap(lying).putInt(claimed);
            assertEquals(0, sendAndAwaitClose(lying, true).length, "claimed " + claimed);
        }
        assertEquals(0, handler.calls.get());
        assertServerStillServes();
    }

    @Test
    void truncatedFramesReachNoHandler() throws Exception {
        for (Map.Entry<FrameType, Object> sample : Samples.all().entrySet()) {
            byte[] whole = encoded(sample.getKey(), 9, sample.getValue());
            for (int cut = 1; cut < whole.length; cut += Math.max(1, whole.length / 7)) {
                byte[] truncated = Arrays.copyOf(whole, cut);
                assertEquals(0, sendAndAwaitClose(truncated, true).length, sample.getKey() + " cut at " + cut);
            }
        }
        assertEquals(0, handler.calls.get());
        assertServerStillServes();
    }

    @Test
    void unknownVersionsAndTypesAreAnsweredWithAnErrorAndClosed() throws Exception {
        byte[] payload = Arrays.copyOfRange(encoded(FrameType.READ, 1, Samples.readRequest()),
                FrameDescriptor.HEADER_LENGTH, encoded(FrameType.READ, 1, Samples.readRequest()).length);
        int correlationId = 100;
        for (int version : new int[] {0, 2, 127, -1}) {
            assertErrorReply(sendAndAwaitClose(frame(version, FrameType.READ.code(), ++correlationId, payload), false),
                    correlationId);
        }
        for (int type : new int[] {0, 13, 16, 99, -128}) {
            assertErrorReply(sendAndAwaitClose(frame(FrameDescriptor.VERSION_1, type, ++correlationId, payload), false),
                    correlationId);
        }
        // replies and errors are no requests
        for (FrameType reply : List.of(FrameType.FETCH_RESPONSE, FrameType.READ_RESPONSE, FrameType.ERROR)) {
            assertErrorReply(sendAndAwaitClose(encoded(reply, ++correlationId, Samples.all().get(reply)), false),
                    correlationId);
        }
        assertEquals(0, handler.calls.get());
        assertServerStillServes();
    }

    @Test
    void countsThatClaimMoreElementsThanBytesAreRefusedWithoutAllocating() throws Exception {
        long heapBefore = usedHeapAfterGc();
        int correlationId = 0;
        for (int count : new int[] {3, 1 << 20, 1 << 30, Integer.MAX_VALUE, -1}) {
            for (FrameType type : List.of(FrameType.FETCH, FrameType.POSITION, FrameType.EPOCH_END)) {
                byte[] bytes = encoded(type, ++correlationId, Samples.all().get(type));
                ByteBuffer.wrap(bytes).putInt(FrameDescriptor.PAYLOAD_OFFSET + Integer.BYTES
                        + (type == FrameType.FETCH ? 2 * Integer.BYTES : 0), count);
                assertErrorReply(sendAndAwaitClose(bytes, false), correlationId);
            }
            byte[] produce = encoded(FrameType.PRODUCE, ++correlationId, Samples.produceRequest());
            ByteBuffer.wrap(produce).putInt(produce.length - 5000 - Integer.BYTES, count);
            assertErrorReply(sendAndAwaitClose(produce, false), correlationId);
            // a group request whose payload claims more (or less) than the frame holds
            byte[] group = encoded(FrameType.GROUP, ++correlationId, Samples.groupRequest());
            ByteBuffer.wrap(group).putInt(group.length - 700 - Integer.BYTES, count);
            assertErrorReply(sendAndAwaitClose(group, false), correlationId);
        }
        assertEquals(0, handler.calls.get());
        assertTrue(usedHeapAfterGc() - heapBefore < 32 << 20, "heap grew with the claimed counts");
        assertServerStillServes();
    }

    @Test
    void randomBytesReachNoHandler() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < 300; i++) {
            byte[] noise = new byte[1 + random.nextInt(4096)];
            random.nextBytes(noise);
            sendAndAwaitClose(noise, true);
        }
        assertEquals(0, handler.calls.get());
        assertServerStillServes();
    }

    @Test
    void flippedBytesInValidFramesNeverStopTheServer() throws Exception {
        Random random = new Random(SEED + 1);
        List<byte[]> frames = new ArrayList<>();
        for (Map.Entry<FrameType, Object> sample : Samples.all().entrySet()) {
            frames.add(encoded(sample.getKey(), 5, sample.getValue()));
        }
        for (int i = 0; i < 300; i++) {
            byte[] mutated = frames.get(random.nextInt(frames.size())).clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] ^= (byte) (1 << random.nextInt(8));
            }
            // a flip may leave a valid request (an offset changed): then it is served, and that is right
            sendAndAwaitClose(mutated, true);
        }
        assertServerStillServes();
    }

    @Test
    void thousandsOfHeadersClaimingAGibibyteDoNotGrowTheHeap() throws Exception {
        long heapBefore = usedHeapAfterGc();
        byte[] claim = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + 1000).putInt(1 << 30)
                .put(FrameDescriptor.VERSION_1).put(FrameType.FETCH.code()).putInt(1).array();
        for (int round = 0; round < 10; round++) {
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Socket socket = connect();
                socket.getOutputStream().write(claim);
                sockets.add(socket);
            }
            for (Socket socket : sockets) {
                Frames.readUntilClosed(socket, CLOSE_BOUND);
                socket.close();
            }
        }
        // claims under the limit cost what was sent, not what was claimed, while the connections stay open
        byte[] underLimit = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).putInt(FrameDescriptor.DEFAULT_MAX_PAYLOAD_BYTES)
                .put(FrameDescriptor.VERSION_1).put(FrameType.FETCH.code()).putInt(2).array();
        List<Socket> open = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Socket socket = connect();
            socket.getOutputStream().write(underLimit);
            open.add(socket);
        }
        Frames.upTo(10).until(() -> server.connectionCount() == 200);
        long grown = usedHeapAfterGc() - heapBefore;
        assertTrue(grown < 32 << 20, "heap grew by " + grown + " bytes for 1,000 claims of 1 GiB and 200 of 64 MiB");
        for (Socket socket : open) {
            socket.close();
        }
        assertEquals(0, handler.calls.get());
        assertServerStillServes();
    }

    @Test
    void aPeerThatNeverReadsFileRegionsHoldsOnlyBoundedRepliesOnTheServer() throws Exception {
        byte[] content = new byte[8 * 1024 * 1024];
        new Random(SEED).nextBytes(content);
        Path segment = Files.write(dir.resolve("00000000000000000000.log"), content);
        assertAPeerThatNeverReadsIsBounded(() -> new FileRecords(segment, 0, content.length));
    }

    @Test
    void aPeerThatNeverReadsHeapRepliesHoldsOnlyBoundedRepliesOnTheServer() throws Exception {
        assertAPeerThatNeverReadsIsBounded(() -> Samples.heap(4 * 1024 * 1024, 1));
    }

    private void assertAPeerThatNeverReadsIsBounded(Supplier<Records> records) throws Exception {
        handler.onFetch = r -> CompletableFuture.completedFuture(new FetchResponse(List.of(
                new FetchedPartition(Samples.ORDERS, null, 1, 0, 0, 0, -1, records.get()))));
        long heapBefore = usedHeapAfterGc();
        int requests = 1000;
        try (Socket stalled = connect()) {
            OutputStream out = stalled.getOutputStream();
            for (int i = 0; i < requests; i++) {
                out.write(encoded(FrameType.FETCH, i, new FetchRequest(1, 0, 1 << 26, List.of())));
            }
            out.flush();
            // The server stops reading at MAX_IN_FLIGHT requests, or sooner when the first replies
            // already fill the connection's write queue (requests arriving in small pieces, under load).
            Frames.upTo(30).until(() -> handler.calls.get() >= 1);
            // The kernel's buffers may take a reply or two; the server takes no more requests than it has room for.
            int bound = MAX_IN_FLIGHT + 4;
            Frames.upTo(10).during(Duration.ofSeconds(1)).until(() -> handler.calls.get() <= bound);
            long grown = usedHeapAfterGc() - heapBefore;
            assertTrue(grown < 64 << 20, "heap grew by " + grown + " bytes for a peer that never reads");

            // The stalled peer slows only itself.
            try (ReplicationClient client = new ReplicationClient(vertx,
                    ReplicationClient.Options.defaults("127.0.0.1"), "127.0.0.1", server.port())) {
                FetchResponse reply = client.fetch(new FetchRequest(2, 0, 1 << 26, List.of())).get(30, TimeUnit.SECONDS);
                assertArrayEquals(Frames.bytesOf(records.get()), Frames.bytesOf(reply.partitions().get(0).records()));
            }
        }
        Frames.upTo(30).until(() -> server.connectionCount() == 0);
    }
}
