package io.sluice.replication;

import static io.sluice.replication.Loopback.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.FetchedPartition;
import io.sluice.replication.Messages.FileRecords;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener and the client over real sockets on loopback: every message, file regions, order, addresses. */
class ReplicationTransportTest {
    @TempDir
    Path dir;

    private final Loopback loopback = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loopback.close();
    }

    @Test
    void everyMessageTypeRoundTrips() throws Exception {
        loopback.handler.onFetch = r -> CompletableFuture.completedFuture(r.equals(Samples.fetchRequest())
                ? Samples.fetchResponse() : null);
        loopback.handler.onEpochEnd = r -> CompletableFuture.completedFuture(r.equals(Samples.epochEndRequest())
                ? Samples.epochEndResponse() : null);
        loopback.handler.onProduce = r -> CompletableFuture.completedFuture(r.equals(Samples.produceRequest())
                ? Samples.produceResponse() : null);
        loopback.handler.onRead = r -> CompletableFuture.completedFuture(r.equals(Samples.readRequest())
                ? Samples.readResponse() : null);
        ReplicationClient client = loopback.client(loopback.server().port());

        assertEquals(Samples.fetchResponse(), get(client.fetch(Samples.fetchRequest())));
        assertEquals(Samples.epochEndResponse(), get(client.epochEnd(Samples.epochEndRequest())));
        assertEquals(Samples.produceResponse(), get(client.produce(Samples.produceRequest())));
        assertEquals(Samples.readResponse(), get(client.read(Samples.readRequest())));
        client.position(Samples.positionUpdate());
        Frames.upTo(10).until(() -> loopback.handler.positions.size() == 1);
        assertEquals(Samples.positionUpdate(), loopback.handler.positions.get(0));
    }

    @Test
    void aFailedRequestIsAnErrorReplyWithItsCode() throws Exception {
        loopback.handler.onProduce = r -> CompletableFuture.failedFuture(
                new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, "1 in sync, 2 required"));
        loopback.handler.onRead = r -> {
            throw new IllegalStateException("broken handler");
        };
        ReplicationClient client = loopback.client(loopback.server().port());

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
        loopback.handler.onFetch = r -> {
            int shift = r.replicaId() == pastTheEnd ? content.length : r.replicaId() * 1000;
            return CompletableFuture.completedFuture(new FetchResponse(List.of(
                    new FetchedPartition(Samples.ORDERS, null, 1, 2, 3, 4, 5,
                            new FileRecords(segment, 17 + shift, 3 * 1024 * 1024 + 7)),
                    new FetchedPartition(Samples.NON_ASCII, null, 1, 2, 3, 4, 5, Samples.heap(9000, r.replicaId())),
                    new FetchedPartition(Samples.ORDERS, null, 1, 2, 3, 4, 5,
                            new FileRecords(segment, 4 * 1024 * 1024 + shift, 1024 * 1024 - 10_000)),
                    new FetchedPartition(Samples.ORDERS, null, 1, 2, 3, 4, 5, new FileRecords(segment, 0, 0)))));
        };
        loopback.handler.onRead = r -> CompletableFuture.completedFuture(new ReadResponse(null, 1, 2, 3,
                new FileRecords(segment, r.offset(), r.maxBytes())));
        ReplicationClient client = loopback.client(loopback.server().port());

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
        loopback.handler.onRead = r -> CompletableFuture.completedFuture(new ReadResponse(null, 1, 2, 3,
                new FileRecords(segment, 500, 501)));
        ReplicationClient client = loopback.client(loopback.server().port());

        ExecutionException e = assertThrows(ExecutionException.class, () -> get(client.read(Samples.readRequest())));
        assertEquals(ErrorCode.STORAGE_ERROR, ((ReplicationException) e.getCause()).code());
        assertEquals(Samples.produceResponse(), get(client.produce(Samples.produceRequest())));
    }

    @Test
    void manyRequestsInFlightAreAnsweredOutOfOrder() throws Exception {
        int requests = 50;
        List<CompletableFuture<FetchResponse>> held = new CopyOnWriteArrayList<>();
        List<FetchRequest> received = new CopyOnWriteArrayList<>();
        loopback.handler.onFetch = r -> {
            CompletableFuture<FetchResponse> reply = new CompletableFuture<>();
            held.add(reply);
            received.add(r);
            return reply;
        };
        ReplicationClient client = loopback.client(loopback.server(ReplicationServer.Options.defaults("127.0.0.1", 0)
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
    void theClientConnectsFromItsBindAddress() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            ReplicationClient client = loopback.client(ReplicationClient.Options.defaults("127.0.0.2"), listener.getLocalPort());
            client.position(Samples.positionUpdate());
            try (Socket accepted = listener.accept()) {
                assertEquals(InetAddress.getByName("127.0.0.2"), accepted.getInetAddress());
            }
        }
    }

    @Test
    void theServerListensOnItsBindAddressOnly() throws Exception {
        ReplicationServer server = loopback.server(ReplicationServer.Options.defaults("127.0.0.3", 0));
        ReplicationClient elsewhere = loopback.client(server.port());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(elsewhere.produce(Samples.produceRequest())));
        assertFalse(((ReplicationException) e.getCause()).outcomeUnknown());

        ReplicationClient there = new ReplicationClient(loopback.vertx, ReplicationClient.Options.defaults("127.0.0.4"),
                "127.0.0.3", server.port());
        loopback.closing.add(0, there);
        assertEquals(Samples.produceResponse(), get(there.produce(Samples.produceRequest())));
    }

    @Test
    void callsFromManyThreadsAtOnceEachGetTheirOwnReply() throws Exception {
        loopback.handler.onRead = r -> CompletableFuture.supplyAsync(() -> new ReadResponse(null, r.offset(), 0, 0,
                Samples.heap((int) (r.offset() % 5000), r.offset())));
        ReplicationClient client = loopback.client(loopback.server().port());
        int threads = 8;
        int perThread = 100;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        loopback.closing.add(callers::shutdownNow);
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
        assertEquals(threads * perThread, loopback.handler.calls.get());
    }
}
