package io.sluice.api;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps, for each {@code /ws/consume} connection, a way to drop its TCP connection at once. A
 * WebSocket close is a frame queued behind the data already waiting in the socket's buffer, and
 * Vert.x closes the connection only once that frame is written: a client that never reads never
 * lets it through, and would hold its buffers for as long as it stays connected. Dropping the
 * TCP connection discards them at once.
 */
@ApplicationScoped
public class ConsumeUpgradeCheck implements HttpUpgradeCheck {
    static final UserData.TypedKey<Runnable> ABORT = new UserData.TypedKey<>("sluice.consume.abort");

    @Override
    public boolean appliesTo(String endpointId) {
        return ConsumeSocket.ENDPOINT_ID.equals(endpointId);
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpConnection connection = context.httpRequest().connection();
        context.userData().put(ABORT, abort(connection));
        return CheckResult.permitUpgrade();
    }

    /**
     * Closes the channel from the head of its pipeline: a {@code channel.close()} passes through
     * Vert.x's handler, which turns it into a WebSocket close (a frame, then up to 10 s for the
     * peer's answer) and so would not drop anything at once.
     */
    private static Runnable abort(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            Channel channel = base.channel();
            return () -> {
                ChannelHandlerContext first = channel.pipeline().firstContext();
                if (first != null) {
                    first.close();
                } else {
                    channel.close();
                }
            };
        }
        return () -> connection.close();
    }
}
