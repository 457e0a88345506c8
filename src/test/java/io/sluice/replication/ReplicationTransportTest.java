package io.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.Messages.FetchPartition;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.FetchedPartition;
import io.sluice.replication.Messages.FileRecords;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import io.vertx.core.Vertx;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener and the client over real sockets on loopback, with a handler written for the test. */
class ReplicationTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Vertx vertx;
    private final RecordingHandler handler = new RecordingHandler();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private ReplicationServer server(ReplicationServer.Options options) {
        ReplicationServer server = new ReplicationServer(vertx, options, handler);
        server.start().join();
        closing.add(server);
        return server;
    }

    private ReplicationServer server() {
        return server(ReplicationServer.Options.defaults("127.0.0.1", 0));
    }

    private ReplicationClient client(ReplicationClient.Options options, int port) {
        ReplicationClient client = new ReplicationClient(vertx, options, "127.0.0.1", port);
        closing.add(0, client);
        return client;
    }

    private ReplicationClient client(int port) {
        return client(ReplicationClient.Options.defaults("127.0.0.1"), port);
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void everyMessageTypeRoundTrips() throws Exception {
        handler.onFetch = r -> CompletableFuture.completedFuture(r.equals(Samples.fetchRequest())
                ? Samples.fetchResponse() : null);
        handler.onEpochEnd = r -> CompletableFuture.completedFuture(r.equals(Samples.epochEndRequest())
                ? Samples.epochEndResponse() : null);
        handler.onProduce = r -> CompletableFuture.completedFuture(r.equals(Samples.produceRequest())
                ? Samples.produceResponse() : null);
        handler.onRead = r -> CompletableFuture.completedFuture(r.equals(Samples.readRequest())
                ? Samples.readResponse() : null);
        ReplicationClient client = client(server().port());

        assertEquals(Samples.fetchResponse(), get(client.fetch(Samples.fetchRequest())));
        assertEquals(Samples.epochEndResponse(), get(client.epochEnd(Samples.epochEndRequest())));
        assertEquals(Samples.produceResponse(), get(client.produce(Samples.produceRequest())));
        assertEquals(Samples.readResponse(), get(client.read(Samples.readRequest())));
        client.position(Samples.positionUpdate());
        Frames.upTo(10).until(() -> handler.positions.size() == 1);
        assertEquals(Samples.positionUpdate(), handler.positions.get(0));
    }

    @Test
    void aFailedRequestIsAnErrorReplyWithItsCode() throws Exception {
        handler.onProduce = r -> CompletableFuture.failedFuture(
                new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, "1 in sync, 2 required"));
        handler.onRead = r -> {
            throw new IllegalStateException("broken handler");
        };
        ReplicationClient client = client(server().port());

        ExecutionException produce = assertThrows(ExecutionException.class,
                () -> get(client.produce(Samples.produceRequest())));
        ReplicationException e = assertInstanceOf(ReplicationException.class, produce.getCause());
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, e.code());
        assertTrue(e.getMessage().contains("1 in sync, 2 required"), e.getMessage());
        assertFalse(e.outcomeUnknown());

        ExecutionException read = assertThrows(ExecutionException.class, () -> get(client.read(Samples.readRequest())));
        assertEquals(ErrorCode.STORAGE_ERROR, ((ReplicationException) read.getCause()).code());
        // the connection goes on after error replies
        assertEquals(Samples.epochEndResponse().getClass(), get(client.epochEnd(Samples.epochEndRequest())).getClass());
    }

    @Test
    void fileRegionsSentBySendFileArriveByteIdentical() throws Exception {
        byte[] content = new byte[5 * 1024 * 1024 + 123];
        new Random(42).nextBytes(content);
        Path segment = Files.write(dir.resolve("00000000000000000000.log"), content);
        // Regions above 1 MiB go out in pieces: the heap bytes after them and the next replies must wait.
        // Replica 3 asks past the file's end: its reply alone is an ERROR, the others stay whole.
        int pastTheEnd = 3;
        handler.onFetch = r -> {
            int shift = r.replicaId() == pastTheEnd ? content.length : r.replicaId() * 1000;
            return CompletableFuture.completedFuture(new FetchResponse(List.of(
                    new FetchedPartition(Samples.ORDERS, null, 1, 2, 3, 4, 5,
                            new FileRecords(segment, 17 + shift, 3 * 1024 * 1024 + 7)),
                    new FetchedPartition(Samples.NON_ASCII, null, 1, 2, 3, 4, 5, Samples.heap(9000, r.replicaId())),
                    new FetchedPartition(Samples.ORDERS, null, 1, 2, 3, 4, 5,
                            new FileRecords(segment, 4 * 1024 * 1024 + shift, 1024 * 1024 - 10_000)),
                    new FetchedPartition(Samples.ORDERS, null, 1, 2, 3, 4, 5, new FileRecords(segment, 0, 0)))));
        };
        handler.onRead = r -> CompletableFuture.completedFuture(new ReadResponse(null, 1, 2, 3,
                new FileRecords(segment, r.offset(), r.maxBytes())));
        ReplicationClient client = client(server().port());

        List<CompletableFuture<FetchResponse>> fetches = new ArrayList<>();
        List<CompletableFuture<ReadResponse>> reads = new ArrayList<>();
        for (int replica = 0; replica < 8; replica++) {
            fetches.add(client.fetch(new FetchRequest(replica, 0, 1 << 26, List.of())));
            reads.add(client.read(new ReadRequest(Samples.ORDERS, replica * 10_000L, 2_000_000 + replica, 10, 0)));
        }
        for (int replica = 0; replica < 8; replica++) {
            int shift = replica * 1000;
            if (replica == pastTheEnd) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> get(fetches.get(pastTheEnd)));
                assertEquals(ErrorCode.STORAGE_ERROR, ((ReplicationException) e.getCause()).code());
                continue;
            }
            List<FetchedPartition> got = get(fetches.get(replica)).partitions();
            assertArrayEquals(Arrays.copyOfRange(content, 17 + shift, 17 + shift + 3 * 1024 * 1024 + 7),
                    Frames.bytesOf(got.get(0).records()));
            assertEquals(Samples.heap(9000, replica), got.get(1).records());
            assertArrayEquals(Arrays.copyOfRange(content, 4 * 1024 * 1024 + shift, 5 * 1024 * 1024 - 10_000 + shift),
                    Frames.bytesOf(got.get(2).records()));
            assertEquals(0, got.get(3).records().sizeInBytes());
            ReadResponse read = get(reads.get(replica));
            assertArrayEquals(Arrays.copyOfRange(content, replica * 10_000, replica * 10_000 + 2_000_000 + replica),
                    Frames.bytesOf(read.records()));
        }
    }

    @Test
    void aRegionPastTheEndOfItsFileIsAnErrorReplyAndTheConnectionGoesOn() throws Exception {
        Path segment = Files.write(dir.resolve("short.log"), new byte[1000]);
        handler.onRead = r -> CompletableFuture.completedFuture(new ReadResponse(null, 1, 2, 3,
                new FileRecords(segment, 500, 501)));
        ReplicationClient client = client(server().port());

        ExecutionException e = assertThrows(ExecutionException.class, () -> get(client.read(Samples.readRequest())));
        assertEquals(ErrorCode.STORAGE_ERROR, ((ReplicationException) e.getCause()).code());
        assertEquals(Samples.produceResponse(), get(client.produce(Samples.produceRequest())));
    }

    @Test
    void manyRequestsInFlightAreAnsweredOutOfOrder() throws Exception {
        int requests = 50;
        List<CompletableFuture<FetchResponse>> held = new CopyOnWriteArrayList<>();
        List<FetchRequest> received = new CopyOnWriteArrayList<>();
        handler.onFetch = r -> {
            CompletableFuture<FetchResponse> reply = new CompletableFuture<>();
            held.add(reply);
            received.add(r);
            return reply;
        };
        ReplicationClient client = client(server(ReplicationServer.Options.defaults("127.0.0.1", 0)
                .withMaxInFlightPerConnection(requests)).port());
        List<CompletableFuture<FetchResponse>> replies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            replies.add(client.fetch(new FetchRequest(i, 0, 1000, List.of())));
        }
        Frames.upTo(10).until(() -> held.size() == requests);
        for (int i = requests - 1; i >= 0; i--) {
            int replicaId = received.get(i).replicaId();
            held.get(i).complete(new FetchResponse(List.of(new FetchedPartition(Samples.ORDERS, null, replicaId, 0, 0, 0,
                    0, Messages.HeapRecords.EMPTY))));
        }
        for (int i = 0; i < requests; i++) {
            assertEquals(i, get(replies.get(i)).partitions().get(0).leaderEpoch(), "reply to request " + i);
        }
    }

    @Test
    void aConnectionIsReadNoFurtherWhileItsRequestsInFlightAreAtTheBound() throws Exception {
        List<CompletableFuture<FetchResponse>> held = new CopyOnWriteArrayList<>();
        handler.onFetch = r -> {
            CompletableFuture<FetchResponse> reply = new CompletableFuture<>();
            held.add(reply);
            return reply;
        };
        ReplicationClient client = client(server(ReplicationServer.Options.defaults("127.0.0.1", 0)
                .withMaxInFlightPerConnection(4)).port());
        List<CompletableFuture<FetchResponse>> replies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            replies.add(client.fetch(new FetchRequest(i, 0, 1000, List.of())));
        }
        Frames.upTo(10).until(() -> held.size() == 4);
        Frames.upTo(10).during(Duration.ofMillis(300)).until(() -> held.size() == 4);
        // each reply lets one more request in
        for (int answered = 0; answered < 10; answered++) {
            int index = answered;
            Frames.upTo(10).until(() -> held.size() > index);
            held.get(index).complete(new FetchResponse(List.of()));
        }
        for (CompletableFuture<FetchResponse> reply : replies) {
            get(reply);
        }
        assertEquals(10, held.size());
    }

    @Test
    void aLostConnectionFailsEveryPendingRequestAndTheNextCallReconnects() throws Exception {
        handler.onFetch = r -> new CompletableFuture<>();
        ReplicationServer server = server();
        int port = server.port();
        ReplicationClient client = client(port);
        CompletableFuture<FetchResponse> first = client.fetch(new FetchRequest(1, 0, 1000, List.of()));
        CompletableFuture<FetchResponse> second = client.fetch(new FetchRequest(2, 0, 1000, List.of()));
        Frames.upTo(10).until(() -> handler.calls.get() == 2);
        server.stop().join();

        for (CompletableFuture<FetchResponse> pending : List.of(first, second)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(pending));
            ReplicationException lost = assertInstanceOf(ReplicationException.class, e.getCause());
            assertTrue(lost.outcomeUnknown(), lost.getMessage());
        }
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> get(client.produce(Samples.produceRequest())));
        assertFalse(((ReplicationException) refused.getCause()).outcomeUnknown(), "it was never sent");

        server(ReplicationServer.Options.defaults("127.0.0.1", port));
        assertEquals(Samples.produceResponse(), get(client.produce(Samples.produceRequest())));
    }

    @Test
    void aReplyThatDoesNotComeInTimeFailsTheRequest() throws Exception {
        handler.onEpochEnd = r -> new CompletableFuture<>();
        ReplicationClient client = client(ReplicationClient.Options.defaults("127.0.0.1")
                .withRequestTimeout(Duration.ofMillis(200)), server().port());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(client.epochEnd(Samples.epochEndRequest())));
        ReplicationException timedOut = assertInstanceOf(ReplicationException.class, e.getCause());
        assertTrue(timedOut.outcomeUnknown());
        assertTrue(timedOut.getMessage().contains("within 200 ms"), timedOut.getMessage());
    }

    @Test
    void theClientConnectsFromItsBindAddress() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            ReplicationClient client = client(ReplicationClient.Options.defaults("127.0.0.2"), listener.getLocalPort());
            client.position(Samples.positionUpdate());
            try (Socket accepted = listener.accept()) {
                assertEquals(InetAddress.getByName("127.0.0.2"), accepted.getInetAddress());
            }
        }
    }

    @Test
    void theServerListensOnItsBindAddressOnly() throws Exception {
        ReplicationServer server = server(ReplicationServer.Options.defaults("127.0.0.3", 0));
        ReplicationClient elsewhere = client(server.port());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(elsewhere.produce(Samples.produceRequest())));
        assertFalse(((ReplicationException) e.getCause()).outcomeUnknown());

        ReplicationClient there = new ReplicationClient(vertx, ReplicationClient.Options.defaults("127.0.0.4"),
                "127.0.0.3", server.port());
        closing.add(0, there);
        assertEquals(Samples.produceResponse(), get(there.produce(Samples.produceRequest())));
    }

    @Test
    void aRequestOverTheFrameLimitFailsWithoutBeingSent() {
        ReplicationClient client = client(ReplicationClient.Options.defaults("127.0.0.1").withMaxFrameBytes(1024),
                server().port());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(client.produce(Samples.produceRequest())));
        assertEquals(ErrorCode.REQUEST_TOO_LARGE, ((SluiceException) e.getCause()).code());
        assertEquals(0, handler.calls.get());
    }

    @Test
    void aReplyOverTheServersFrameLimitIsAnErrorReply() throws Exception {
        handler.onRead = r -> CompletableFuture.completedFuture(new ReadResponse(null, 0, 0, 0, Samples.heap(5000, 1)));
        ReplicationClient client = client(server(ReplicationServer.Options.defaults("127.0.0.1", 0)
                .withMaxFrameBytes(4096)).port());
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(client.read(Samples.readRequest())));
        assertEquals(ErrorCode.REQUEST_TOO_LARGE, ((ReplicationException) e.getCause()).code());
    }
    @Test
    void callsFromManyThreadsAtOnceEachGetTheirOwnReply() throws Exception {
        handler.onRead = r -> CompletableFuture.supplyAsync(() -> new ReadResponse(null, r.offset(), 0, 0,
                Samples.heap((int) (r.offset() % 5000), r.offset())));
        ReplicationClient client = client(server().port());
        int threads = 8;
        int perThread = 100;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        closing.add(callers::shutdownNow);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(CompletableFuture.runAsync(() -> {
                List<CompletableFuture<ReadResponse>> replies = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    replies.add(client.read(new ReadRequest(Samples.ORDERS, thread * 1000L + i, 1, 1, 0)));
                }
                for (int i = 0; i < perThread; i++) {
                    long offset = thread * 1000L + i;
                    ReadResponse reply = replies.get(i).join();
                    assertEquals(offset, reply.nextOffset());
                    assertEquals(Samples.heap((int) (offset % 5000), offset), reply.records());
                }
            }, callers));
        }
        for (CompletableFuture<Void> thread : done) {
            get(thread);
        }
        assertEquals(threads * perThread, handler.calls.get());
    }

    @Test
    void repliesForAConnectionThatIsGoneAreDropped() throws Exception {
        List<CompletableFuture<FetchResponse>> held = new CopyOnWriteArrayList<>();
        handler.onFetch = r -> {
            CompletableFuture<FetchResponse> reply = new CompletableFuture<>();
            held.add(reply);
            return reply;
        };
        ReplicationServer server = server();
        FrameCodec codec = new FrameCodec();
        try (Socket gone = new Socket("127.0.0.1", server.port())) {
            for (int i = 0; i < 3; i++) {
                gone.getOutputStream().write(Frames.flatten(codec.encode(FrameType.FETCH, i,
                        new FetchRequest(i, 0, 100, List.of()))));
            }
            Frames.upTo(10).until(() -> held.size() == 3);
        }
        Frames.upTo(10).until(() -> server.connectionCount() == 0);
        held.forEach(reply -> reply.complete(new FetchResponse(List.of())));
        handler.onFetch = r -> CompletableFuture.completedFuture(new FetchResponse(List.of()));
        assertEquals(new FetchResponse(List.of()), get(client(server.port()).fetch(Samples.fetchRequest())));
    }
    @Test
    void requestsPastThePendingBoundFailAtOnce() throws Exception {
        List<CompletableFuture<ReadResponse>> held = new CopyOnWriteArrayList<>();
        handler.onRead = r -> {
            CompletableFuture<ReadResponse> reply = new CompletableFuture<>();
            held.add(reply);
            return reply;
        };
        ReplicationClient client = client(ReplicationClient.Options.defaults("127.0.0.1").withMaxPendingRequests(3),
                server().port());
        List<CompletableFuture<ReadResponse>> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replies.add(client.read(Samples.readRequest()));
        }
        ExecutionException busy = assertThrows(ExecutionException.class, () -> get(client.read(Samples.readRequest())));
        ReplicationException refused = assertInstanceOf(ReplicationException.class, busy.getCause());
        assertEquals(ErrorCode.BROKER_BUSY, refused.code());
        assertFalse(refused.outcomeUnknown());

        Frames.upTo(10).until(() -> held.size() == 3);
        held.forEach(reply -> reply.complete(Samples.readResponse()));
        for (CompletableFuture<ReadResponse> reply : replies) {
            assertEquals(Samples.readResponse(), get(reply));
        }
        assertEquals(Samples.produceResponse(), get(client.produce(Samples.produceRequest())));
    }
    @Test
    void aPeerThatBreaksTheProtocolFailsThePendingRequestsAndIsDropped() throws Exception {
        FrameCodec codec = new FrameCodec();
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            ReplicationClient client = client(listener.getLocalPort());

            CompletableFuture<FetchResponse> lied = client.fetch(Samples.fetchRequest());
            try (Socket peer = listener.accept()) {
                peer.getOutputStream().write(ByteBuffer.allocate(4).putInt(1 << 30).array());
                ExecutionException e = assertThrows(ExecutionException.class, () -> get(lied));
                assertTrue(((ReplicationException) e.getCause()).outcomeUnknown());
            }

            CompletableFuture<FetchResponse> mismatched = client.fetch(Samples.fetchRequest());
            try (Socket peer = listener.accept()) {
                byte[] request = new byte[FrameDescriptor.HEADER_LENGTH];
                new DataInputStream(peer.getInputStream()).readFully(request);
                int correlationId = ByteBuffer.wrap(request).getInt(FrameDescriptor.CORRELATION_ID_OFFSET);
                peer.getOutputStream().write(Frames.flatten(codec.encode(FrameType.PRODUCE_RESPONSE, correlationId,
                        Samples.produceResponse())));
                ExecutionException e = assertThrows(ExecutionException.class, () -> get(mismatched));
                assertTrue(e.getCause().getMessage().contains("PRODUCE_RESPONSE answered a FETCH"),
                        e.getCause().getMessage());
                Frames.readUntilClosed(peer, WAIT);
            }
        }
    }
}
