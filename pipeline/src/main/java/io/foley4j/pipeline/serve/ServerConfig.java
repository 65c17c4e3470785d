package io.foley4j.pipeline.serve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@link FoleyServer} listens and what it admits.
 *
 * @param port            0 picks a free port ({@link FoleyServer#port()} tells which)
 * @param maxUploadBytes  largest request body (all parts together) before the answer is 413
 * @param workers         generations that run at once
 * @param queueCapacity   further requests admitted (uploading or waiting for a worker); past that, 503
 * @param requestTimeout  longest time from admission to the answer: the upload, the wait for a worker and the
 *                        generation together (an upload still running then is cut off, the rest answered 504)
 * @param tempDir         where uploads and outputs live while a request runs (created when missing)
 */
public record ServerConfig(String host, int port, long maxUploadBytes, int workers, int queueCapacity,
                           Duration requestTimeout, Path tempDir) {
    public ServerConfig {
        if (host == null || host.isBlank()) throw bad("host is empty");
        if (port < 0 || port > 65535) throw bad("port " + port + " is outside [0, 65535]");
        if (maxUploadBytes < 1) throw bad("maxUploadBytes " + maxUploadBytes + " is not positive");
        if (workers < 1 || workers > 1024) throw bad("workers " + workers + " is outside [1, 1024]");
        if (queueCapacity < 0 || queueCapacity > 1 << 16) throw bad("queueCapacity " + queueCapacity + " is outside [0, 65536]");
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw bad("requestTimeout " + requestTimeout + " is not positive");
        }
        if (tempDir == null) throw bad("tempDir is null");
    }

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8080, 512L << 20, 1, 4, Duration.ofMinutes(10),
                Path.of(System.getProperty("java.io.tmpdir")));
    }

    public ServerConfig withHost(String v) { return new ServerConfig(v, port, maxUploadBytes, workers, queueCapacity, requestTimeout, tempDir); }
    public ServerConfig withPort(int v) { return new ServerConfig(host, v, maxUploadBytes, workers, queueCapacity, requestTimeout, tempDir); }
    public ServerConfig withMaxUploadBytes(long v) { return new ServerConfig(host, port, v, workers, queueCapacity, requestTimeout, tempDir); }
    public ServerConfig withWorkers(int v) { return new ServerConfig(host, port, maxUploadBytes, v, queueCapacity, requestTimeout, tempDir); }
    public ServerConfig withQueueCapacity(int v) { return new ServerConfig(host, port, maxUploadBytes, workers, v, requestTimeout, tempDir); }
    public ServerConfig withRequestTimeout(Duration v) { return new ServerConfig(host, port, maxUploadBytes, workers, queueCapacity, v, tempDir); }
    public ServerConfig withTempDir(Path v) { return new ServerConfig(host, port, maxUploadBytes, workers, queueCapacity, requestTimeout, v); }

    private static IllegalArgumentException bad(String msg) {
        return new IllegalArgumentException("ServerConfig: " + msg);
    }
}
