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

    @Test
    void aStorageErrorNamesThePartitionFileButNoServerPath() {
        Response r = mappers.sluice(new io.sluice.log.CorruptRecordException(
                "batch crc=1 computed=2 at /var/lib/sluice/data/logs/t-0/00000000000000000000.log:4096"));
        String detail = ((Problem) r.getEntity()).detail();
        assertEquals("batch crc=1 computed=2 at t-0/00000000000000000000.log:4096", detail);
        Response io = mappers.unexpected(new UncheckedIOException("reading t-0 at offset 5",
                new IOException("./data/logs/t-0/00000000000000000000.index: Too many open files")));
        assertEquals("reading t-0 at offset 5", ((Problem) io.getEntity()).detail());
        Response wrapped = mappers.unexpected(new IllegalStateException(
                "./data/logs/t-0/00000000000000000000.index: Too many open files"));
        assertEquals("t-0/00000000000000000000.index: Too many open files", ((Problem) wrapped.getEntity()).detail());
    }

    @Test
    void aClientErrorKeepsItsDetail() {
        Response r = mappers.sluice(new SluiceException(ErrorCode.INVALID_REQUEST, "no such route: GET /a/b/c"));
        assertEquals("no such route: GET /a/b/c", ((Problem) r.getEntity()).detail());
    }
}
