package io.foley4j.pipeline.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.foley4j.pipeline.foley.FoleyInputException;
import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.Generator;
import io.foley4j.pipeline.foley.StageTiming;
import io.foley4j.pipeline.video.VideoException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The HTTP service behind {@code bin/foley serve}, on the JDK's own server:
 * <ul>
 * <li>{@code POST /generate}, multipart/form-data with parts {@code video} (file) and {@code desc} (text), optional
 *     {@code steps cfg seed seconds channels}: answers {@code audio/wav} with headers {@code X-Foley-Stages}
 *     ({@code decode=0.410;visual=1.200...} seconds), {@code X-Foley-Peak-Rss-Bytes}, {@code X-Foley-Total-Seconds},
 *     {@code X-Foley-Audio-Seconds}, {@code X-Foley-Model}, {@code X-Foley-Counters}.</li>
 * <li>{@code GET /health}: {@code {status, model, queued, running, workers, queueCapacity}}.</li>
 * <li>{@code GET /metrics}: see {@link ServerMetrics}.</li>
 * </ul>
 * Every error is JSON {@code {"error": "...", "status": N}}. Status of generation errors:
 * {@link FoleyInputException} its kind's; {@link VideoException} 415 when the message says the format or codec is
 * not supported ("unsupported", "not supported", "not a/an", "no video track"), else 422 (empty, truncated,
 * corrupt); IllegalArgumentException 400; anything else 500 with a generic message (stack trace on stderr).
 * Other statuses: 405 (wrong method, with Allow), 404, 413 (body over maxUploadBytes, answered before reading
 * further), 415 (not multipart/form-data), 400 (malformed multipart, missing, repeated or unknown parts, bad
 * numbers), 503 with Retry-After (all slots taken, or closing), 504 (deadline passed while queued or generating; the
 * generation's files are deleted when it ends). An upload still running at the deadline is cut off by closing its
 * connection (counted as 408). Error responses to POST close the connection (the upload may be unread).
 * <p>
 * Exchanges run on virtual threads, generations on {@link ServerConfig#workers} platform threads; the server does
 * not close the generator.
 */
public final class FoleyServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NOT_SUPPORTED = Pattern.compile("unsupported|not supported|not an? |no video track");
    private static final long CLOSE_GRACE_MILLIS = 10_000;
    private static final String STARTED = "foley.started";

    private final Generator generator;
    private final ServerConfig cfg;
    private final HttpServer http;
    private final ExecutorService exchanges;
    private final GenerationQueue queue;
    private final UploadWatchdog watchdog = new UploadWatchdog();
    private final ServerMetrics metrics;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closing;

    private FoleyServer(Generator generator, ServerConfig cfg, HttpServer http, Supplier<Map<String, Long>> counters) {
        this.generator = generator;
        this.cfg = cfg;
        this.http = http;
        this.exchanges = Executors.newVirtualThreadPerTaskExecutor();
        this.queue = new GenerationQueue(generator, cfg.workers(), cfg.queueCapacity());
        this.metrics = new ServerMetrics(counters);
    }

    /** Binds {@code cfg.host():cfg.port()} and starts serving; {@code counters} may be null. */
    public static FoleyServer start(Generator gen, ServerConfig cfg, Supplier<Map<String, Long>> counters)
            throws IOException {
        if (gen == null || cfg == null) throw new IllegalArgumentException("FoleyServer.start: generator and config are required");
        Files.createDirectories(cfg.tempDir());
        HttpServer http = HttpServer.create(new InetSocketAddress(cfg.host(), cfg.port()), 0);
        FoleyServer s = new FoleyServer(gen, cfg, http, counters);
        http.createContext("/", s::handle);
        http.setExecutor(s.exchanges);
        http.start();
        return s;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /**
     * Refuses new generations (503) at once, waits up to min(requestTimeout, 10 s) for the exchanges in flight, then
     * stops listening and closes every connection, and gives running generations the same bound to end.
     */
    @Override
    public void close() {
        closing = true;
        long grace = Math.min(cfg.requestTimeout().toMillis(), CLOSE_GRACE_MILLIS);
        long end = System.nanoTime() + grace * 1_000_000;
        try {
            synchronized (inFlight) {
                // Our own count: the JDK server never ends an exchange whose client hung up mid-response, so its
                // stop(delay) would always wait the whole delay after one.
                while (inFlight.get() > 0 && System.nanoTime() < end) inFlight.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
            }
            http.stop(0);
            queue.shutdown(grace);
            exchanges.shutdown();
            if (!exchanges.awaitTermination(grace, TimeUnit.MILLISECONDS)) exchanges.shutdownNow();
        } catch (InterruptedException e) {
            http.stop(0);
            Thread.currentThread().interrupt();
        } finally {
            watchdog.close();
        }
    }

    private void handle(HttpExchange ex) {
        inFlight.incrementAndGet();
        try {
            exchange(ex);
        } finally {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (inFlight) {
                    inFlight.notifyAll();
                }
            }
        }
    }

    private void exchange(HttpExchange ex) {
        ex.setAttribute(STARTED, System.nanoTime());
        String path = ex.getRequestURI().getPath();
        try {
            switch (path) {
                case "/generate" -> generate(method(ex, "POST"));
                case "/health" -> json(method(ex, "GET"), 200, health());
                case "/metrics" -> json(method(ex, "GET"), 200, metrics.snapshot());
                default -> throw new HttpError(404, "no such path '" + path + "' (POST /generate, GET /health, GET /metrics)");
            }
        } catch (Throwable t) {
            fail(ex, t);
        } finally {
            ex.close();
        }
    }

    /** Counts the response before the client can see it (so a client's next request sees it in /metrics). */
    private void sendHeaders(HttpExchange ex, int status, long length) throws IOException {
        metrics.response(status);
        if (ex.getRequestURI().getPath().equals("/generate")) {
            metrics.generateLatency((System.nanoTime() - (Long) ex.getAttribute(STARTED)) * 1e-9);
        }
        ex.sendResponseHeaders(status, length);
    }

    private static HttpExchange method(HttpExchange ex, String allowed) {
        if (!ex.getRequestMethod().equals(allowed)) {
            ex.getResponseHeaders().set("Allow", allowed);
            throw new HttpError(405, "method " + ex.getRequestMethod() + " is not allowed here; use " + allowed);
        }
        return ex;
    }

    private void generate(HttpExchange ex) throws Throwable {
        if (closing) throw new HttpError(503, "the server is shutting down");
        if (!queue.admit()) {
            metrics.rejected();
            ex.getResponseHeaders().set("Retry-After", String.valueOf(retryAfterSeconds()));
            throw new HttpError(503, "busy: " + cfg.workers() + " generating and " + cfg.queueCapacity()
                    + " queued; retry later");
        }
        long deadline = System.nanoTime() + cfg.requestTimeout().toNanos();
        UploadForm form = null;
        boolean submitted = false;
        try {
            String declared = ex.getRequestHeaders().getFirst("Content-Length");
            if (declared != null && parseLong(declared) > cfg.maxUploadBytes()) {
                throw new HttpError(413, "request body of " + declared + " bytes is larger than " + cfg.maxUploadBytes());
            }
            UploadWatchdog.Guard guard = watchdog.watch(remainingMillis(deadline));
            try {
                form = UploadForm.read(ex.getRequestBody(), ex.getRequestHeaders().getFirst("Content-Type"), cfg.tempDir(),
                        cfg.maxUploadBytes());
            } catch (Throwable t) {
                if (guard.end()) throw uploadTimedOut();
                throw t;
            }
            if (guard.end()) throw uploadTimedOut();
            FoleyRequest request = new FoleyRequest(form.video(), form.desc(), form.options());
            Path out = cfg.tempDir().resolve("foley-out-" + ProcessHandle.current().pid() + "-" + ids.incrementAndGet() + ".wav");
            GenerationQueue.Job job;
            try {
                job = queue.submit(request, out);
            } catch (RejectedExecutionException e) {
                throw new HttpError(503, "the server is shutting down");
            }
            submitted = true;
            FoleyResult result;
            try {
                result = job.await(remainingMillis(deadline));
            } catch (TimeoutException e) {
                metrics.timedOut();
                throw new HttpError(504, "the request did not finish within " + cfg.requestTimeout().toMillis() / 1000.0 + " s");
            } catch (ExecutionException e) {
                throw rename(e.getCause(), form);
            }
            try {
                sendWav(ex, result);
            } finally {
                GenerationQueue.deleteQuietly(result.wav());
                if (result.muxed() != null) GenerationQueue.deleteQuietly(result.muxed());
                GenerationQueue.deleteQuietly(out);
            }
        } finally {
            if (!submitted) {
                queue.release();
                if (form != null) GenerationQueue.deleteQuietly(form.video());
            }
        }
    }

    private static long remainingMillis(long deadline) {
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }

    private HttpError uploadTimedOut() {
        metrics.timedOut();
        return new HttpError(408, "the upload did not finish within " + cfg.requestTimeout().toMillis() / 1000.0 + " s");
    }

    private void sendWav(HttpExchange ex, FoleyResult r) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "audio/wav");
        StringBuilder stages = new StringBuilder();
        for (StageTiming s : r.stages()) {
            if (!stages.isEmpty()) stages.append(';');
            stages.append(token(s.stage())).append('=').append(String.format(Locale.ROOT, "%.3f", s.seconds()));
        }
        h.set("X-Foley-Stages", stages.toString());
        h.set("X-Foley-Peak-Rss-Bytes", String.valueOf(r.peakRssBytes()));
        h.set("X-Foley-Total-Seconds", String.format(Locale.ROOT, "%.3f", r.totalSeconds()));
        h.set("X-Foley-Audio-Seconds", String.format(Locale.ROOT, "%.3f", r.audioSeconds()));
        h.set("X-Foley-Model", ascii(r.model() == null ? "" : r.model()));
        StringBuilder counters = new StringBuilder();
        if (r.counters() != null) {
            for (var e : r.counters().entrySet()) {
                if (!counters.isEmpty()) counters.append(';');
                counters.append(token(e.getKey())).append('=').append(e.getValue());
            }
        }
        h.set("X-Foley-Counters", counters.toString());
        long size = Files.size(r.wav());
        sendHeaders(ex, 200, size);
        try (OutputStream os = ex.getResponseBody()) {
            Files.copy(r.wav(), os);
        }
    }

    /** Generator failures carry the temp file's path: name the client's file instead. */
    private static Throwable rename(Throwable t, UploadForm form) {
        String tmp = form.video().toString(), abs = form.video().toAbsolutePath().toString();
        String shown = "'" + form.videoName() + "'";
        if (t instanceof FoleyInputException f) {
            return new FoleyInputException(f.kind(), f.getMessage().replace(abs, shown).replace(tmp, shown), f);
        }
        if (t instanceof VideoException v) {
            return new HttpError(videoStatus(v.getMessage()), v.getMessage().replace(abs, shown).replace(tmp, shown));
        }
        return t;
    }

    /** 415 for a format or codec the engine does not read, 422 for a damaged file of one it does. */
    static int videoStatus(String message) {
        return message != null && NOT_SUPPORTED.matcher(message).find() ? 415 : 422;
    }

    /** Answers {@code t} as JSON unless the response already started. */
    private void fail(HttpExchange ex, Throwable t) {
        int status;
        String msg;
        if (t instanceof HttpError e) {
            status = e.status;
            msg = e.getMessage();
        } else if (t instanceof FoleyInputException e) {
            status = e.kind().httpStatus;
            msg = e.getMessage();
        } else if (t instanceof VideoException e) {
            status = videoStatus(e.getMessage());
            msg = e.getMessage();
        } else if (t instanceof MultipartException e) {
            status = 400;
            msg = "malformed multipart body: " + e.getMessage();
        } else if (t instanceof IllegalArgumentException e) {
            status = 400;
            msg = e.getMessage();
        } else if (t instanceof IOException && ex.getResponseCode() >= 0) {
            return;   // the client went away while the answer was sent
        } else {
            status = 500;
            msg = "internal error (see the server log)";
            System.err.println("foley serve: " + ex.getRequestMethod() + " " + ex.getRequestURI() + " failed");
            t.printStackTrace();
        }
        if (t instanceof InterruptedException) Thread.currentThread().interrupt();
        if (ex.getResponseCode() >= 0) return;
        // An upload may be left unread: the JDK server drains a little of it, then this connection must end.
        if (ex.getRequestMethod().equals("POST")) ex.getResponseHeaders().set("Connection", "close");
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", msg == null ? t.getClass().getSimpleName() : msg);
            body.put("status", status);
            json(ex, status, body);
        } catch (IOException e) {
            // the client is gone; nothing more to tell it
        }
    }

    private void json(HttpExchange ex, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        sendHeaders(ex, status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    private Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", closing ? "closing" : "ok");
        m.put("model", generator.describe());
        m.put("queued", queue.queued());
        m.put("running", queue.running());
        m.put("workers", cfg.workers());
        m.put("queueCapacity", cfg.queueCapacity());
        return m;
    }

    /** The mean /generate latency so far, at least 1 s. */
    private long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(metrics.meanLatencySeconds()));
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new HttpError(400, "Content-Length '" + s + "' is not a number");
        }
    }

    /** Header-safe stage or counter name. */
    private static String token(String s) {
        return s == null ? "" : s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String ascii(String s) {
        return s.replaceAll("[^\\x20-\\x7E]", "?");
    }
}
