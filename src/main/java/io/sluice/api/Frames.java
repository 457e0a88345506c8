package io.sluice.api;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The small control frames of the WebSocket protocol (API.md), written as JSON text. */
final class Frames {
    private Frames() {
    }

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static String object(String type, Body body) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = ProduceRequestParser.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String error(String id, String code, String message) {
        return object("error", g -> {
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeStringField("code", code);
            g.writeStringField("message", ServerPaths.redact(message));
        });
    }
}
