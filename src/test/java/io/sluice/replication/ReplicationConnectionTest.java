package io.sluice.replication;

import static io.sluice.replication.Loopback.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener and the client over real sockets: limits, timeouts, lost connections, peers that break the rules. */
class ReplicationConnectionTest {
    private final Loopback loopback = new Loopback();

    @AfterEach
    void stop() throws Exception {
        loopback.close();
    }

    @Test
    void aConnectionIsReadNoFurtherWhileItsRequestsInFlightAreAtTheBound() throws Exception {
        List<CompletableFuture<FetchResponse>> held = new CopyOnWriteArrayList<>();
        loopback.handler.onFetch = r -> {
            CompletableFuture<FetchResponse> reply = new CompletableFuture<>();
            held.add(reply);
            return reply;
        };
        ReplicationClient client = loopback.client(loopback.server(ReplicationServer.Options.defaults("127.0.0.1", 0)
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

    /** Readers caught up at the leader wait there for up to 30 s: their waits never use up the bound. */
    @Test
    void waitsForDataDoNotCountAgainstTheBoundOfRequestsInFlight() throws Exception {
        List<ReadRequest> heldReads = new CopyOnWriteArrayList<>();
        loopback.handler.onRead = r -> {
            heldReads.add(r);
            return new CompletableFuture<>();
        };
        ReplicationClient client = loopback.client(loopback.server(ReplicationServer.Options.defaults("127.0.0.1", 0)
                .withMaxInFlightPerConnection(4)).port());
        TopicPartition tp = new TopicPartition("t", 0);
        for (int i = 0; i < 10; i++) {
            client.read(new ReadRequest(tp, i, 1, 1, 30_000));
        }
        Frames.upTo(10).until(() -> heldReads.size() == 10);
        assertEquals(new FetchResponse(List.of()), get(client.fetch(new FetchRequest(1, 0, 1000, List.of()))),
                "a request after ten waits is read and answered");

        // a read that may carry records is a request like any other
        for (int i = 0; i < 4; i++) {
            client.read(new ReadRequest(tp, i, 1 << 20, 100, 30_000));
        }
        Frames.upTo(10).until(() -> heldReads.size() == 14);
        CompletableFuture<FetchResponse> unread = client.fetch(new FetchRequest(2, 0, 1000, List.of()));
        Frames.upTo(10).during(Duration.ofMillis(300)).until(() -> !unread.isDone());
    }

    @Test
    void aLostConnectionFailsEveryPendingRequestAndTheNextCallReconnects() throws Exception {
        loopback.handler.onFetch = r -> new CompletableFuture<>();
        ReplicationServer server = loopback.server();
        int port = server.port();
        ReplicationClient client = loopback.client(port);
        CompletableFuture<FetchResponse> first = client.fetch(new FetchRequest(1, 0, 1000, List.of()));
        CompletableFuture<FetchResponse> second = client.fetch(new FetchRequest(2, 0, 1000, List.of()));
        Frames.upTo(10).until(() -> loopback.handler.calls.get() == 2);
        server.stop().join();

        for (CompletableFuture<FetchResponse> pending : List.of(first, second)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(pending));
            ReplicationException lost = assertInstanceOf(ReplicationException.class, e.getCause());
            assertTrue(lost.outcomeUnknown(), lost.getMessage());
        }
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> get(client.produce(Samples.produceRequest())));
        assertFalse(((ReplicationException) refused.getCause()).outcomeUnknown(), "it was never sent");

        loopback.server(ReplicationServer.Options.defaults("127.0.0.1", port));
        assertEquals(Samples.produceResponse(), get(client.produce(Samples.produceRequest())));
    }

    @Test
    void aReplyThatDoesNotComeInTimeFailsTheRequest() throws Exception {
        loopback.handler.onEpochEnd = r -> new CompletableFuture<>();
        ReplicationClient client = loopback.client(ReplicationClient.Options.defaults("127.0.0.1")
                .withRequestTimeout(Duration.ofMillis(200)), loopback.server().port());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(client.epochEnd(Samples.epochEndRequest())));
        ReplicationException timedOut = assertInstanceOf(ReplicationException.class, e.getCause());
        assertTrue(timedOut.outcomeUnknown());
        assertTrue(timedOut.getMessage().contains("within 200 ms"), timedOut.getMessage());
    }

    @Test
    void aRequestOverTheFrameLimitFailsWithoutBeingSent() {
        ReplicationClient client = loopback.client(ReplicationClient.Options.defaults("127.0.0.1").withMaxFrameBytes(1024),
                loopback.server().port());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(client.produce(Samples.produceRequest())));
        assertEquals(ErrorCode.REQUEST_TOO_LARGE, ((SluiceException) e.getCause()).code());
        assertEquals(0, loopback.handler.calls.get());
    }

    @Test
    void aReplyOverTheServersFrameLimitIsAnErrorReply() throws Exception {
        loopback.handler.onRead = r -> CompletableFuture.completedFuture(new ReadResponse(null, 0, 0, 0, Samples.heap(5000, 1)));
        ReplicationClient client = loopback.client(loopback.server(ReplicationServer.Options.defaults("127.0.0.1", 0)
                .withMaxFrameBytes(4096)).port());
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(client.read(Samples.readRequest())));
        assertEquals(ErrorCode.REQUEST_TOO_LARGE, ((ReplicationException) e.getCause()).code());
    }
    @Test
    void repliesForAConnectionThatIsGoneAreDropped() throws Exception {
        List<CompletableFuture<FetchResponse>> held = new CopyOnWriteArrayList<>();
        loopback.handler.onFetch = r -> {
            CompletableFuture<FetchResponse> reply = new CompletableFuture<>();
            held.add(reply);
            return reply;
        };
        ReplicationServer server = loopback.server();
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
        loopback.handler.onFetch = r -> CompletableFuture.completedFuture(new FetchResponse(List.of()));
        assertEquals(new FetchResponse(List.of()), get(loopback.client(server.port()).fetch(Samples.fetchRequest())));
    }
    @Test
    void requestsPastThePendingBoundFailAtOnce() throws Exception {
        List<CompletableFuture<ReadResponse>> held = new CopyOnWriteArrayList<>();
        loopback.handler.onRead = r -> {
            CompletableFuture<ReadResponse> reply = new CompletableFuture<>();
            held.add(reply);
            return reply;
        };
        ReplicationClient client = loopback.client(ReplicationClient.Options.defaults("127.0.0.1").withMaxPendingRequests(3),
                loopback.server().port());
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
            ReplicationClient client = loopback.client(listener.getLocalPort());

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
                Frames.readUntilClosed(peer, Loopback.WAIT);
            }
        }
    }
}
