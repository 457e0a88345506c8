package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** The error mapping, constructed directly: every kind of failure becomes a problem document. */
class ProblemMappersTest {
    private final ProblemMappers mappers = new ProblemMappers();

    @Test
    void anUnexpectedExceptionIsAServerProblemNotAStackTrace() {
        Response r = mappers.unexpected(
                new UncheckedIOException("saving topic t", new IOException("File name too long")));
        assertEquals(500, r.getStatus());
        assertEquals(Problem.MEDIA_TYPE, r.getMediaType().toString());
        Problem p = (Problem) r.getEntity();
        assertEquals(500, p.status());
        assertEquals(ErrorCode.STORAGE_ERROR.name(), p.code());
        assertEquals("saving topic t", p.detail());
    }

    @Test
    void aSluiceExceptionKeepsItsCodeAndStatus() {
        Response r = mappers.sluice(new SluiceException(ErrorCode.RECORD_TOO_LARGE, "too big"));
        assertEquals(413, r.getStatus());
        assertEquals(Problem.MEDIA_TYPE, r.getMediaType().toString());
        assertEquals("RECORD_TOO_LARGE", ((Problem) r.getEntity()).code());
    }
}
