package io.foley4j.pipeline.serve;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerConfigTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerConfig d = ServerConfig.defaults();
        assertEquals("127.0.0.1", d.host());
        assertEquals(8080, d.port());
        assertEquals(512L << 20, d.maxUploadBytes());
        assertEquals(1, d.workers());
        assertEquals(4, d.queueCapacity());
        assertEquals(Duration.ofMinutes(10), d.requestTimeout());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), d.tempDir());
    }

    @Test
    void badValuesAreRefusedByName() {
        ServerConfig d = ServerConfig.defaults();
        assertMessage("port", () -> d.withPort(70000));
        assertMessage("port", () -> d.withPort(-1));
        assertMessage("host", () -> d.withHost(" "));
        assertMessage("maxUploadBytes", () -> d.withMaxUploadBytes(0));
        assertMessage("workers", () -> d.withWorkers(0));
        assertMessage("queueCapacity", () -> d.withQueueCapacity(-1));
        assertMessage("requestTimeout", () -> d.withRequestTimeout(Duration.ZERO));
        assertMessage("tempDir", () -> d.withTempDir(null));
        assertEquals(0, d.withQueueCapacity(0).queueCapacity());
    }

    private static void assertMessage(String word, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(word), e.getMessage());
    }
}
