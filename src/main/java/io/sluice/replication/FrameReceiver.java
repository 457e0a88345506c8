package io.sluice.replication;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.ByteBuffer;

/**
 * Cuts one connection's bytes into frame bodies: four bytes of length, checked at once against the
 * codec's limit, then exactly that many bytes. A length outside the limit is reported before a
 * byte of its body is buffered, so a header that claims 2 GiB costs four bytes. Reading is paused
 * and resumed through the parser, which owns the socket's demand.
 */
final class FrameReceiver {
    private final FrameCodec codec;
    private final RecordParser parser;
    private final Handler<ByteBuffer> onBody;
    private final Handler<FrameDecodeException> onBadLength;
    private int expectedBody = -1;
    private boolean stopped;

    /**
     * @param onBody      a whole frame body (the bytes after the length prefix), a private copy
     * @param onBadLength a length prefix outside the limit: the connection is out of step and must close
     */
    FrameReceiver(NetSocket socket, FrameCodec codec, Handler<ByteBuffer> onBody,
            Handler<FrameDecodeException> onBadLength) {
        this.codec = codec;
        this.onBody = onBody;
        this.onBadLength = onBadLength;
        parser = RecordParser.newFixed(FrameDescriptor.LENGTH_LENGTH, socket);
        parser.handler(this::onRecord);
    }

    void pause() {
        parser.pause();
    }

    void resume() {
        if (!stopped) {
            parser.resume();
        }
    }

    /** No further frame is delivered, whatever is already buffered. */
    void stop() {
        stopped = true;
        parser.pause();
    }

    private void onRecord(Buffer record) {
        if (stopped) {
            return;
        }
        if (expectedBody < 0) {
            if (record.length() != FrameDescriptor.LENGTH_LENGTH) {
                return; // the stream ended inside a length prefix: a truncated frame, nothing to deliver
            }
            try {
                expectedBody = codec.checkBodyLength(record.getInt(0));
            } catch (FrameDecodeException e) {
                stop();
                onBadLength.handle(e);
                return;
            }
            parser.fixedSizeMode(expectedBody);
            return;
        }
        int expected = expectedBody;
        expectedBody = -1;
        parser.fixedSizeMode(FrameDescriptor.LENGTH_LENGTH);
        if (record.length() != expected) {
            return; // the stream ended inside a body: the parser hands over the stub, which is no frame
        }
        // RecordParser hands each record over as a fresh heap copy, so the view below is ours alone.
        onBody.handle(record.getByteBuf().nioBuffer());
    }
}
