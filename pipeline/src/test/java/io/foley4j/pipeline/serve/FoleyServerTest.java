package io.foley4j.pipeline.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.foley.FoleyInputException;
import io.foley4j.pipeline.video.VideoException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static io.foley4j.pipeline.serve.ServerTestSupport.Form;
import static io.foley4j.pipeline.serve.ServerTestSupport.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FoleyServerTest {
    @TempDir
    Path root;
    private Path temp;
    private final FakeGenerator gen = new FakeGenerator();
    private final AtomicLong hits = new AtomicLong(3), misses = new AtomicLong(1);
    private FoleyServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private FoleyServer start(ServerConfig cfg) throws IOException {
        temp = root.resolve("serve-tmp");
        server = FoleyServer.start(gen, cfg.withPort(0).withTempDir(temp),
                () -> Map.of("frame.hits", hits.get(), "frame.misses", misses.get(), "requests", 7L));
        return server;
    }

    private FoleyServer start() throws IOException {
        return start(ServerConfig.defaults().withWorkers(2).withQueueCapacity(2).withRequestTimeout(Duration.ofSeconds(20)));
    }

    @AfterEach
    void tempDirIsEmptyAfterEveryTest() throws Exception {
        CountDownLatch g = gen.gate;
        if (g != null) g.countDown();
        if (server != null) server.close();
        assertEquals(List.of(), ServerTestSupport.awaitEmpty(temp), "files left in the server's temp dir");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpRequest post(byte[] body) {
        return HttpRequest.newBuilder(uri("/generate")).header("Content-Type", ServerTestSupport.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private HttpResponse<byte[]> send(HttpRequest r) throws IOException, InterruptedException {
        return client.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    /** Waits up to 10 s for /health to show nothing queued or running; fails otherwise. */
    private void awaitIdle() throws IOException, InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        JsonNode h;
        do {
            h = JSON.readTree(get("/health").body());
            if (h.get("queued").asInt() == 0 && h.get("running").asInt() == 0) return;
            Thread.sleep(10);
        } while (System.nanoTime() < end);
        throw new AssertionError("the server never became idle: " + h);
    }

    private static byte[] video(int n) {
        byte[] v = new byte[n];
        new Random(n).nextBytes(v);
        return v;
    }

    private static Form okForm() {
        return new Form().file("video", "clip.mp4", video(3000)).text("desc", "a dog barks");
    }

    /** Asserts a JSON error body with {@code status}; returns its message. */
    private static String error(HttpResponse<byte[]> r, int status) throws IOException {
        assertEquals(status, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode j = JSON.readTree(r.body());
        assertEquals(status, j.get("status").asInt());
        return j.get("error").asText();
    }

    @Test
    void generateAnswersAValidWavWithTimings() throws Exception {
        start();
        byte[] v = video(100_000);
        byte[] body = new Form().text("desc", "rain on a tin roof").file("video", "clip.mp4", v).text("steps", "8")
                .text("cfg", "4.5").text("seed", "-12").text("seconds", "0.5").text("channels", "2").build();
        HttpResponse<byte[]> r = send(post(body));
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(r.body().length, Long.parseLong(r.headers().firstValue("Content-Length").orElseThrow()));
        assertEquals("decode=0.410;visual=1.200", r.headers().firstValue("X-Foley-Stages").orElseThrow());
        assertEquals("123456789", r.headers().firstValue("X-Foley-Peak-Rss-Bytes").orElseThrow());
        assertEquals("1.610", r.headers().firstValue("X-Foley-Total-Seconds").orElseThrow());
        assertEquals("frame.hits=3", r.headers().firstValue("X-Foley-Counters").orElseThrow());
        Path wav = root.resolve("got.wav");
        Files.write(wav, r.body());
        Wav.Audio a = Wav.read(wav);
        assertEquals(48000, a.sampleRate());
        assertEquals(2, a.channels());
        assertEquals(24000, a.frames());
        assertEquals(0.5 * Math.sin(2 * Math.PI * 440 * 10 / 48000.0), a.samples()[20], 1e-4);
        // What the generator saw.
        assertArrayEquals(v, gen.lastVideo);
        assertEquals("rain on a tin roof", gen.last.prompt());
        assertEquals(8, gen.last.options().steps());
        assertEquals(4.5, gen.last.options().cfg());
        assertEquals(-12, gen.last.options().seed());
    }

    @Test
    void healthNamesTheModelAndShowsRunningAndQueued() throws Exception {
        start(ServerConfig.defaults().withWorkers(1).withQueueCapacity(2));
        JsonNode h = JSON.readTree(get("/health").body());
        assertEquals("ok", h.get("status").asText());
        assertEquals("fake sine", h.get("model").asText());
        assertEquals(0, h.get("queued").asInt());
        assertEquals(0, h.get("running").asInt());
        gen.gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<byte[]>>> pending = new ArrayList<>();
        for (int i = 0; i < 2; i++) pending.add(client.sendAsync(post(okForm().build()), HttpResponse.BodyHandlers.ofByteArray()));
        long end = System.nanoTime() + 10_000_000_000L;
        do {
            Thread.sleep(20);
            h = JSON.readTree(get("/health").body());
        } while (!(h.get("running").asInt() == 1 && h.get("queued").asInt() == 1) && System.nanoTime() < end);
        assertEquals(1, h.get("running").asInt(), h.toString());
        assertEquals(1, h.get("queued").asInt(), h.toString());
        gen.gate.countDown();
        for (var f : pending) assertEquals(200, f.get().statusCode());
    }

    @Test
    void metricsCountStatusesLatencyAndCacheRates() throws Exception {
        start();
        assertEquals(200, send(post(okForm().build())).statusCode());
        assertEquals(200, send(post(okForm().build())).statusCode());
        error(send(post(new Form().text("desc", "x").build())), 400);
        error(get("/nope"), 404);
        JsonNode m = JSON.readTree(get("/metrics").body());
        JsonNode by = m.get("requests").get("byStatus");
        assertEquals(2, by.get("200").asInt(), m.toString());
        assertEquals(1, by.get("400").asInt(), m.toString());
        assertEquals(1, by.get("404").asInt(), m.toString());
        JsonNode lat = m.get("latency");
        assertEquals(3, lat.get("count").asInt(), "only /generate is timed");
        double p50 = lat.get("p50Seconds").asDouble(), p95 = lat.get("p95Seconds").asDouble(), max = lat.get("maxSeconds").asDouble();
        assertTrue(p50 > 0 && p50 <= p95 && p95 <= max, lat.toString());
        assertTrue(lat.get("meanSeconds").asDouble() > 0 && lat.get("meanSeconds").asDouble() <= max, lat.toString());
        assertEquals(0, m.get("queueRejections").asInt());
        assertEquals(0, m.get("timeouts").asInt());
        assertEquals(3, m.get("counters").get("frame.hits").asInt());
        assertEquals(0.75, m.get("hitRates").get("frame.hitRate").asDouble(), 1e-12);
        assertFalse(m.get("hitRates").has("requests.hitRate"));
    }

    @Test
    void aFullServerRefusesWith503AndRetryAfter() throws Exception {
        start();   // 2 workers + 2 queued = 4 admitted at most
        gen.gate = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) all.add(client.sendAsync(post(okForm().build()), HttpResponse.BodyHandlers.ofByteArray()));
        // The 4 refused answer while the 4 admitted wait on the gate.
        long end = System.nanoTime() + 20_000_000_000L;
        while (all.stream().filter(CompletableFuture::isDone).count() < 4 && System.nanoTime() < end) Thread.sleep(10);
        Thread.sleep(100);
        List<HttpResponse<byte[]>> early = all.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
        assertEquals(4, early.size());
        for (HttpResponse<byte[]> r : early) {
            assertTrue(error(r, 503).contains("busy"));
            assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        }
        gen.gate.countDown();
        int ok = 0, busy = 0;
        for (var f : all) {
            int s = f.get().statusCode();
            if (s == 200) ok++;
            else if (s == 503) busy++;
        }
        assertEquals(4, ok);
        assertEquals(4, busy);
        assertEquals(4, JSON.readTree(get("/metrics").body()).get("queueRejections").asInt());
        assertEquals(200, send(post(okForm().build())).statusCode(), "slots come back after the burst");
    }

    @Test
    void aSlowGenerationTimesOutWith504AndItsFilesGo() throws Exception {
        start(ServerConfig.defaults().withRequestTimeout(Duration.ofMillis(1000)));
        gen.gate = new CountDownLatch(1);
        assertTrue(error(send(post(okForm().build())), 504).contains("did not finish"));
        assertEquals(1, JSON.readTree(get("/metrics").body()).get("timeouts").asInt());
        gen.gate.countDown();   // the abandoned job now writes its WAV, which must be deleted
        long end = System.nanoTime() + 10_000_000_000L;
        while (gen.finished.get() < 1 && System.nanoTime() < end) Thread.sleep(10);
        assertEquals(List.of(), ServerTestSupport.awaitEmpty(temp));
        gen.gate = null;
        assertEquals(200, send(post(okForm().build())).statusCode());
    }

    @Test
    void aDeclaredLengthOverTheLimitIs413WithoutReadingTheBody() throws Exception {
        start(ServerConfig.defaults().withMaxUploadBytes(64 << 10));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(ServerTestSupport.requestHead(server.port(), "Content-Length: 10000000\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(okForm().build(), 0, 1000);   // and never the rest
            out.flush();
            var r = ServerTestSupport.readResponse(s.getInputStream());
            assertEquals(413, r.status());
            assertEquals(413, r.json().get("status").asInt());
        }
        assertEquals(0, gen.started.get());
        assertEquals(200, send(post(okForm().build())).statusCode());
    }

    @Test
    void aChunkedUploadCrossingTheLimitIs413() throws Exception {
        start(ServerConfig.defaults().withMaxUploadBytes(64 << 10));
        byte[] body = new Form().text("desc", "wind").file("video", "big.mp4", video(100_000)).build();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(ServerTestSupport.requestHead(server.port(), "Transfer-Encoding: chunked\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);   // no closing chunk: the server must answer without waiting for it
            out.flush();
            var r = ServerTestSupport.readResponse(s.getInputStream());
            assertEquals(413, r.status());
            assertTrue(r.json().get("error").asText().contains("larger than 65536"));
        }
        assertEquals(List.of(), ServerTestSupport.awaitEmpty(temp));
        assertEquals(0, gen.started.get());
        assertEquals(200, send(post(okForm().build())).statusCode());
    }

    @Test
    void badParametersAre400NamingTheParameter() throws Exception {
        start();
        String[][] cases = {
                {"steps", "abc", "steps"}, {"steps", "5000", "steps"}, {"cfg", "-1", "cfg"}, {"cfg", "NaN", "cfg"},
                {"seed", "1.5", "seed"}, {"seconds", "0", "seconds"}, {"channels", "3", "channels"},
                {"color", "red", "color"},
        };
        for (String[] c : cases) {
            String msg = error(send(post(okForm().text(c[0], c[1]).build())), 400);
            assertTrue(msg.contains(c[2]), c[0] + "=" + c[1] + ": " + msg);
        }
        assertTrue(error(send(post(okForm().text("desc", "again").build())), 400).contains("twice"));
        assertEquals(0, gen.started.get());
    }

    @Test
    void missingOrEmptyPartsAre400() throws Exception {
        start();
        assertTrue(error(send(post(new Form().file("video", "a.mp4", video(10)).build())), 400).contains("'desc'"));
        assertTrue(error(send(post(new Form().text("desc", "thunder").build())), 400).contains("'video'"));
        assertTrue(error(send(post(new Form().file("video", "a.mp4", video(10)).text("desc", "  ").build())), 400)
                .contains("prompt"));
        assertTrue(error(send(post(new Form().file("video", "a.mp4", new byte[0]).text("desc", "x").build())), 422)
                .contains("empty"));
        assertTrue(error(send(post("garbage".getBytes(StandardCharsets.US_ASCII))), 400).contains("multipart"));
        assertEquals(0, gen.started.get());
    }

    @Test
    void wrongMediaMethodOrPath() throws Exception {
        start();
        HttpRequest json = HttpRequest.newBuilder(uri("/generate")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        error(send(json), 415);
        HttpResponse<byte[]> r = get("/generate");
        error(r, 405);
        assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
        error(send(HttpRequest.newBuilder(uri("/health")).POST(HttpRequest.BodyPublishers.noBody()).build()), 405);
        error(get("/"), 404);
        error(get("/generate/x"), 404);
    }

    @Test
    void generatorErrorsMapToStatuses() throws Exception {
        start();
        gen.failure = q -> new FoleyInputException(FoleyInputException.Kind.CORRUPT_MEDIA, "video " + q.video() + ": truncated");
        String msg = error(send(post(okForm().build())), 422);
        assertTrue(msg.contains("'clip.mp4'") && !msg.contains(temp.toString()), msg);
        gen.failure = q -> new VideoException(q.video(), "unsupported codec 'hvc1' (only H.264 'avc1'/'avc3' is supported)");
        msg = error(send(post(okForm().build())), 415);
        assertTrue(msg.contains("'clip.mp4'") && msg.contains("hvc1") && !msg.contains(temp.toString()), msg);
        gen.failure = q -> new VideoException(q.video(), "frame 3 ends past the end of the file");
        error(send(post(okForm().build())), 422);
        gen.failure = q -> new IllegalArgumentException("bad shape");
        assertEquals("bad shape", error(send(post(okForm().build())), 400));
        gen.failure = q -> new IllegalStateException("secret internals");
        msg = error(send(post(okForm().build())), 500);
        assertFalse(msg.contains("secret"), msg);
        gen.failure = null;
        assertEquals(200, send(post(okForm().build())).statusCode(), "the service keeps serving");
    }

    @Test
    void aClientThatHangsUpMidUploadLeavesNothingBehind() throws Exception {
        start();
        byte[] body = new Form().text("desc", "glass breaks").file("video", "clip.mp4", video(200_000)).build();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(ServerTestSupport.requestHead(server.port(), "Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            // Wait until the server has the upload file open, then hang up.
            long end = System.nanoTime() + 10_000_000_000L;
            while (ServerTestSupport.listing(temp).isEmpty() && System.nanoTime() < end) Thread.sleep(5);
            assertFalse(ServerTestSupport.listing(temp).isEmpty(), "the upload never reached the temp dir");
        }
        assertEquals(List.of(), ServerTestSupport.awaitEmpty(temp));
        assertEquals(0, gen.started.get());
        awaitIdle();
        assertEquals(200, send(post(okForm().build())).statusCode());
    }

    @Test
    void aStalledUploadIsCutOffAtTheDeadlineAndFreesItsSlot() throws Exception {
        start(ServerConfig.defaults().withWorkers(1).withQueueCapacity(0).withRequestTimeout(Duration.ofMillis(1500)));
        byte[] body = new Form().text("desc", "glass breaks").file("video", "clip.mp4", video(200_000)).build();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(ServerTestSupport.requestHead(server.port(), "Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            // Then nothing: the server must drop the connection by itself.
            int got;
            try {
                got = s.getInputStream().read();
            } catch (IOException e) {
                got = -1;   // reset
            }
            assertEquals(-1, got, "the server still holds the stalled connection");
        }
        assertEquals(List.of(), ServerTestSupport.awaitEmpty(temp));
        awaitIdle();   // the connection drops a moment before the handler gives the slot back
        assertEquals(200, send(post(okForm().build())).statusCode(), "the only slot came back");
        JsonNode m = JSON.readTree(get("/metrics").body());
        assertEquals(1, m.get("timeouts").asInt(), m.toString());
        assertEquals(1, m.get("requests").get("byStatus").get("408").asInt(), m.toString());
        assertEquals(1, gen.started.get(), "only the later request generated");
    }

    @Test
    void aClientThatHangsUpDuringTheResponseLeavesNothingBehind() throws Exception {
        start();
        gen.defaultSeconds = 30;   // 2.9 MB of WAV: more than the socket buffers take at once
        byte[] body = okForm().text("channels", "1").build();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setReceiveBufferSize(4096);
            OutputStream out = s.getOutputStream();
            out.write(ServerTestSupport.requestHead(server.port(), "Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] first = in.readNBytes(12);
            assertEquals("HTTP/1.1 200", new String(first, StandardCharsets.US_ASCII));
        }
        long end = System.nanoTime() + 10_000_000_000L;
        while (gen.finished.get() < 1 && System.nanoTime() < end) Thread.sleep(10);
        assertEquals(List.of(), ServerTestSupport.awaitEmpty(temp));
        gen.defaultSeconds = 0.25;
        assertEquals(200, send(post(okForm().build())).statusCode());
    }

    @Test
    void closeWithWorkInFlightBoundsItsWaitAndLeavesNothingBehind() throws Exception {
        start(ServerConfig.defaults().withWorkers(1).withQueueCapacity(1).withRequestTimeout(Duration.ofMillis(800)));
        gen.gate = new CountDownLatch(1);   // never opened: one job runs forever, one waits in the queue
        List<CompletableFuture<HttpResponse<byte[]>>> pending = new ArrayList<>();
        for (int i = 0; i < 2; i++) pending.add(client.sendAsync(post(okForm().build()), HttpResponse.BodyHandlers.ofByteArray()));
        long end = System.nanoTime() + 10_000_000_000L;
        JsonNode h;
        do {
            Thread.sleep(10);
            h = JSON.readTree(get("/health").body());
        } while (!(h.get("running").asInt() == 1 && h.get("queued").asInt() == 1) && System.nanoTime() < end);
        assertEquals(1, h.get("queued").asInt(), h.toString());
        long t0 = System.nanoTime();
        server.close();
        double seconds = (System.nanoTime() - t0) * 1e-9;
        assertTrue(seconds < 5, "close took " + seconds + " s");
        for (var f : pending) {
            int status = f.handle((r, e) -> r == null ? -1 : r.statusCode()).get();
            assertTrue(status == 504 || status == -1, "status " + status);
        }
        assertEquals(List.of(), ServerTestSupport.awaitEmpty(temp));
        assertEquals(1, gen.started.get(), "the queued job was dropped, not run");
        server = null;
    }

    @Test
    void closeStopsTheServer() throws Exception {
        start();
        int port = server.port();
        assertEquals(200, get("/health").statusCode());
        long t0 = System.nanoTime();
        server.close();
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "an idle server closes at once");
        boolean refused;
        try (Socket s = new Socket("127.0.0.1", port)) {
            refused = false;
        } catch (IOException e) {
            refused = true;
        }
        assertTrue(refused, "still accepting on " + port + " after close");
        server = null;
    }
}
