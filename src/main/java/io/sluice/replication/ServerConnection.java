package io.sluice.replication;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.Error;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.GroupRequest;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ReadRequest;
import io.vertx.core.Context;
import io.vertx.core.net.NetSocket;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One inbound connection of the replication listener, confined to its event loop: frames in,
 * requests to the {@link RequestHandler}, replies out with the request's correlation id in
 * whatever order they complete. Reading stops while {@code maxInFlight} requests await their
 * replies or the socket's write queue is full, so a peer that sends but never reads holds at most
 * that many replies here. A wait (a read of at most {@link #WAIT_MAX_BYTES}: a reader caught up,
 * waiting at the leader for the next record, up to 30 s) counts apart, up to {@link #MAX_WAITS}:
 * it holds a few hundred bytes until it ends, its reply one record at most, and 32 of them would
 * otherwise keep every later request of the connection unread. A malformed frame closes this
 * connection and nothing else.
 */
final class ServerConnection {
    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());

    private static final int MAX_ERROR_MESSAGE_CHARS = 2000;
    /** A read asking for this many bytes or fewer is a wait for data, not a transfer of it. */
    static final int WAIT_MAX_BYTES = 1024;
    /** Waits of one connection at once; as many as a client lets await their replies. */
    static final int MAX_WAITS = 1024;

    private final NetSocket socket;
    private final Context context;
    private final FrameCodec codec;
    private final RequestHandler handler;
    private final int maxInFlight;
    private final FrameReceiver receiver;
    private final FrameSender sender;
    private final String peer;
    private int inFlight;
    private int waits;
    private boolean reading = true;
    private boolean closed;

    ServerConnection(NetSocket socket, Context context, FrameCodec codec, RequestHandler handler, int maxInFlight) {
        this.socket = socket;
        this.context = context;
        this.codec = codec;
        this.handler = handler;
        this.maxInFlight = maxInFlight;
        this.peer = String.valueOf(socket.remoteAddress());
        this.sender = new FrameSender(socket);
        this.receiver = new FrameReceiver(socket, codec, this::onBody, this::onBadLength);
        socket.drainHandler(v -> updateReading());
        socket.exceptionHandler(e -> {
            LOG.log(Level.DEBUG, "replication connection from {0} failed: {1}", peer, e.toString());
            socket.close();
        });
    }

    /** Called by the server once the socket has closed, for whatever reason. */
    void closed() {
        closed = true;
        receiver.stop();
    }

    private void onBadLength(FrameDecodeException e) {
        LOG.log(Level.WARNING, "replication connection from {0} closed: {1}", peer, e.getMessage());
        socket.close();
    }

    private void onBody(ByteBuffer body) {
        Frame frame;
        try {
            frame = codec.decode(body);
            if (!frame.type().isRequest()) {
                throw new FrameDecodeException("a " + frame.type() + " frame is not a request");
            }
        } catch (FrameDecodeException e) {
            refuse(body, e);
            return;
        }
        dispatch(frame);
    }

    /** Answers a malformed frame with an ERROR and closes: nothing of it reaches the handler. */
    private void refuse(ByteBuffer body, FrameDecodeException e) {
        LOG.log(Level.WARNING, "replication connection from {0} closed: {1}", peer, e.getMessage());
        receiver.stop();
        int correlationId = body.getInt(body.position() + FrameDescriptor.CORRELATION_ID_OFFSET
                - FrameDescriptor.LENGTH_LENGTH);
        sender.send(errorFrame(correlationId, e)).onComplete(ignored -> socket.close());
    }

    private void dispatch(Frame frame) {
        if (frame.type() == FrameType.POSITION) {
            try {
                handler.position((PositionUpdate) frame.message());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "position update from " + peer + " failed", e);
            }
            return;
        }
        boolean wait = isWait(frame);
        if (wait) {
            waits++;
        } else {
            inFlight++;
        }
        updateReading();
        CompletableFuture<?> reply;
        try {
            reply = switch (frame.type()) {
                case FETCH -> handler.fetch((FetchRequest) frame.message());
                case EPOCH_END -> handler.epochEnd((EpochEndRequest) frame.message());
                case PRODUCE -> handler.produce((ProduceRequest) frame.message());
                case READ -> handler.read((ReadRequest) frame.message());
                case GROUP -> handler.group((GroupRequest) frame.message());
                default -> throw new IllegalStateException("not a request with a reply: " + frame.type());
            };
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        if (reply == null) {
            reply = CompletableFuture.failedFuture(new IllegalStateException("the handler gave no future for a "
                    + frame.type()));
        }
        reply.whenComplete((message, error) -> context.runOnContext(v -> reply(frame, wait, message, error)));
    }

    private static boolean isWait(Frame frame) {
        return frame.type() == FrameType.READ && ((ReadRequest) frame.message()).maxBytes() <= WAIT_MAX_BYTES;
    }

    private void reply(Frame request, boolean wait, Object message, Throwable error) {
        if (closed) {
            finished(wait);
            return;
        }
        EncodedFrame frame;
        try {
            frame = error == null
                    ? codec.encode(request.type().responseType(), request.correlationId(), message)
                    : errorFrame(request.correlationId(), error);
        } catch (RuntimeException e) {
            frame = errorFrame(request.correlationId(), e);
        }
        sender.send(frame).onComplete(sent -> {
            if (sent.failed() && sent.cause() instanceof SluiceException notStarted && !closed) {
                // The reply's file region was gone before a byte of it was written: say so instead.
                sender.send(errorFrame(request.correlationId(), notStarted)).onComplete(ignored -> finished(wait));
            } else {
                finished(wait);
            }
        });
        updateReading();
    }

    private void finished(boolean wait) {
        if (wait) {
            waits--;
        } else {
            inFlight--;
        }
        updateReading();
    }

    private EncodedFrame errorFrame(int correlationId, Throwable error) {
        Throwable cause = SluiceException.causeOf(error);
        Error wire = cause instanceof SluiceException sluice
                ? new Error(sluice.code().name(), clip(sluice.getMessage()))
                : new Error(ErrorCode.STORAGE_ERROR.name(), clip(cause.getClass().getSimpleName() + ": "
                        + cause.getMessage()));
        if (!(cause instanceof SluiceException)) {
            LOG.log(Level.WARNING, "a request from " + peer + " failed", cause);
        }
        return codec.encode(FrameType.ERROR, correlationId, wire);
    }

    /** A message is a wire string (at most 32767 bytes of UTF-8); a reason never needs that many. */
    private static String clip(String message) {
        return message == null || message.length() <= MAX_ERROR_MESSAGE_CHARS ? message
                : message.substring(0, MAX_ERROR_MESSAGE_CHARS);
    }

    private void updateReading() {
        boolean shouldRead = !closed && inFlight < maxInFlight && waits < MAX_WAITS && !socket.writeQueueFull();
        if (shouldRead != reading) {
            reading = shouldRead;
            if (shouldRead) {
                receiver.resume();
            } else {
                receiver.pause();
            }
        }
    }
}
