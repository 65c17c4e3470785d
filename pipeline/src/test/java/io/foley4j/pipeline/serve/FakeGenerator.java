package io.foley4j.pipeline.serve;

import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.audio.WavWriter;
import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.Generator;
import io.foley4j.pipeline.foley.Progress;
import io.foley4j.pipeline.foley.StageTiming;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Writes a 440 Hz sine as long as asked (default 0.25 s); can wait on a gate first, or fail instead. */
final class FakeGenerator implements Generator {
    static final int RATE = 48000;

    volatile CountDownLatch gate;
    /** Given the request, an exception to throw instead of generating (null: generate). */
    volatile Function<FoleyRequest, RuntimeException> failure;
    volatile double defaultSeconds = 0.25;
    volatile FoleyRequest last;
    volatile byte[] lastVideo;
    final AtomicInteger started = new AtomicInteger(), finished = new AtomicInteger();

    @Override
    public FoleyResult generate(FoleyRequest request, Path out, Progress progress) throws IOException {
        started.incrementAndGet();
        try {
            last = request;
            lastVideo = Files.readAllBytes(request.video());
            CountDownLatch g = gate;
            if (g != null && !g.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("gate never opened");
            Function<FoleyRequest, RuntimeException> f = failure;
            if (f != null) throw f.apply(request);
            int ch = request.options().channels();
            double secs = Double.isNaN(request.options().seconds()) ? defaultSeconds : request.options().seconds();
            int frames = (int) Math.round(secs * RATE);
            float[] buf = new float[4800 * ch];
            try (WavWriter w = WavWriter.open(out, RATE, ch, Wav.Format.PCM16)) {
                for (int f0 = 0; f0 < frames; f0 += 4800) {
                    int n = Math.min(4800, frames - f0);
                    for (int i = 0; i < n; i++) {
                        float x = (float) (0.5 * Math.sin(2 * Math.PI * 440 * (f0 + i) / RATE));
                        for (int c = 0; c < ch; c++) buf[i * ch + c] = x;
                    }
                    w.write(buf, 0, n);
                }
                w.finish();
            }
            return new FoleyResult(out, null, RATE, ch, frames / (double) RATE,
                    List.of(new StageTiming("decode", 0.41, 1000), new StageTiming("visual", 1.2, 2000)),
                    123456789L, Map.of("frame.hits", 3L), "fake sine");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            finished.incrementAndGet();
        }
    }

    @Override
    public String describe() {
        return "fake sine";
    }

    @Override
    public void close() {}
}
