package io.foley4j.pipeline.foleynet;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.models.diffusion.DitConfig;
import io.foley4j.models.diffusion.DitState;
import io.foley4j.models.vit.VitState;
import io.foley4j.pipeline.audio.Resampler;
import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.audio.WavWriter;
import io.foley4j.pipeline.cache.FrameCache;
import io.foley4j.pipeline.diffusion.DitDenoiser;
import io.foley4j.pipeline.diffusion.GaussianNoise;
import io.foley4j.pipeline.diffusion.Sampler;
import io.foley4j.pipeline.foley.FoleyInputException;
import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foley.Generator;
import io.foley4j.pipeline.foley.Muxing;
import io.foley4j.pipeline.foley.Progress;
import io.foley4j.pipeline.foley.Rss;
import io.foley4j.pipeline.foley.Stages;
import io.foley4j.pipeline.foley.TextEncoder;
import io.foley4j.pipeline.motion.MotionEvents;
import io.foley4j.pipeline.motion.MotionStop;
import io.foley4j.pipeline.video.ImagePreprocessor;
import io.foley4j.pipeline.video.RgbImage;
import io.foley4j.pipeline.video.VideoFrames;
import io.foley4j.pipeline.video.VideoIndex;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link FoleyNet}: video -> frames at the model's rate -> ViT features (through the frame cache) and motion
 * energy -> aligner -> DiT sampling with classifier-free guidance over log-mel frames, window by window -> vocoder ->
 * 48 kHz WAV exactly as long as the video.
 *
 * <p>Guidance: the unconditional pass sees the empty prompt's tokens and the same video conditioning, so the scale
 * steers towards the text. Windows: when the track is longer than the decoder's window ({@code dit.maxFrames} mel
 * frames) it is generated in windows overlapping by a quarter window (at most 1 s), each from its own noise stream
 * {@code seed + window}, and cross-faded linearly in the log-mel domain before one vocoder pass, so there is no seam.
 */
public final class NeuralFoley implements Generator {
    public static final double MAX_VIDEO_SECONDS = 3600;
    public static final int OUTPUT_RATE = 48_000;

    private final FoleyNet net;
    private final WorkerPool pool;
    private final FrameCache frameCache;           // null: no cache
    private final AtomicInteger running = new AtomicInteger();

    public NeuralFoley(FoleyNet net, WorkerPool pool, FrameCache frameCache) {
        this.net = net;
        this.pool = pool;
        this.frameCache = frameCache;
    }

    @Override
    public String describe() {
        return net.describe();
    }

    @Override
    public FoleyResult generate(FoleyRequest req, Path out, Progress progress) throws IOException {
        running.incrementAndGet();
        try {
            return run(req, out, progress);
        } finally {
            running.decrementAndGet();
        }
    }

    private FoleyResult run(FoleyRequest req, Path out, Progress progress) throws IOException {
        FoleyNetConfig cfg = net.config;
        GenerateOptions o = req.options();
        Stages st = new Stages(progress, running.get() == 1);
        Map<String, Long> counters = new LinkedHashMap<>();

        Features fx = extract(req.video(), st, counters);
        float[] feats = fx.values();
        int frames = fx.frames();
        double duration = fx.duration();

        double seconds = Double.isNaN(o.seconds()) ? duration : o.seconds();
        Mel sampled = mel(feats, frames, req.prompt(), seconds, o, st);
        float[] mel = sampled.logMel();
        int melFrames = sampled.frames();
        counters.put("windows", (long) sampled.windows());
        counters.put("sampler.steps", (long) sampled.steps());

        // ---- vocoder ----
        st.begin("vocoder", 0);
        float[] wave = vocode(mel, melFrames);
        int n = (int) Math.round(seconds * OUTPUT_RATE);
        float peak = 0;
        for (int i = 0; i < Math.min(n, wave.length); i++) peak = Math.max(peak, Math.abs(wave[i]));
        float gain = peak > 0.89f ? 0.89f / peak : 1f;

        // ---- write ----
        st.begin("write", 0);
        int ch = o.channels();
        try (WavWriter wr = WavWriter.open(out, OUTPUT_RATE, ch, Wav.Format.PCM16)) {
            float[] buf = new float[4096 * ch];
            for (int i = 0; i < n; i += 4096) {
                int m = Math.min(4096, n - i);
                for (int j = 0; j < m; j++) {
                    float v = i + j < wave.length ? wave[i + j] * gain : 0f;
                    for (int q = 0; q < ch; q++) buf[j * ch + q] = v;
                }
                wr.write(buf, 0, m);
            }
            wr.finish();
        }
        Path muxed = null;
        if (o.mux() != null) {
            st.begin("mux", 0);
            muxed = Muxing.addAudio(req.video(), out, o.mux());
        }
        List<io.foley4j.pipeline.foley.StageTiming> timings = st.timings();
        return new FoleyResult(out, muxed, OUTPUT_RATE, ch, n / (double) OUTPUT_RATE, timings,
                Math.max(st.peak(), Rss.peakBytes()), counters, net.describe());
    }

    /** Visual features [frames, featureDim] at video.fps (ViT embedding, then the motion columns) and the video's length. */
    public record Features(float[] values, int frames, double duration) {}

    /** The aligner's input for a video, exactly as {@link #generate} computes it (the evaluation's entry point). */
    public Features features(Path video) throws IOException {
        return extract(video, new Stages(Progress.NONE, false), new LinkedHashMap<>());
    }

    private Features extract(Path path, Stages st, Map<String, Long> counters) throws IOException {
        FoleyNetConfig cfg = net.config;
        // ---- decode + visual features ----
        st.begin("decode", 0);
        VideoIndex video = VideoIndex.open(path);
        double duration = video.durationSeconds();
        if (duration > MAX_VIDEO_SECONDS) {
            throw new FoleyInputException(FoleyInputException.Kind.TOO_LARGE, "video " + path + " lasts "
                    + duration + " s, more than " + MAX_VIDEO_SECONDS + " s");
        }
        double fps = cfg.video().fps();
        int frames = VideoFrames.plan(video, fps).length;
        int vitDim = net.vit == null ? 0 : net.vit.config().outputDim();
        int featDim = cfg.aligner().inputDim();
        float[] feats = new float[frames * featDim];
        long[] visualNanos = {0};
        long hits0 = frameCache == null ? 0 : frameCache.stats().hits();
        try (Arena arena = Arena.ofShared();
             VitState vs = net.vit == null ? null : net.vit.newState(1, pool)) {
            int size = net.vit == null ? 0 : net.vit.config().imageSize();
            ImagePreprocessor pre = net.vit == null ? null : new ImagePreprocessor(size, size, size,
                    ImagePreprocessor.CLIP_MEAN, ImagePreprocessor.CLIP_STD);
            Tensor pixels = net.vit == null ? null : Tensor.allocate(arena, DType.F32, 1, 3, size, size);
            float[] px = net.vit == null ? null : new float[3 * size * size];
            float[][] prev = {null};
            MotionEvents.Analyzer motion = new MotionEvents.Analyzer(fps);
            int motionDim = cfg.video().motionDim();
            MotionStop stop = motionDim == 3 ? new MotionStop(frames) : null;
            // on the decoding workers: what the sink needs of a frame, so that the window of decoded frames holds
            // a 224x224 crop and a thumbnail per frame instead of the whole picture (2.7 MB at 720p)
            VideoFrames.Converter<Sampled> convert = rgb -> new Sampled(
                    net.vit != null && frameCache != null ? FrameCache.key(rgb) : null,
                    net.vit == null ? null : pre.resizeCrop(rgb), MotionEvents.thumbnail(rgb));
            VideoFrames.sample(video, fps, pool, convert, (frame, s) -> {
                int k = frame.index();
                if (net.vit != null) {
                    long t0 = System.nanoTime();
                    java.util.function.Supplier<float[]> encode = () -> {
                        pre.normalize(s.crop, px, 0);
                        pixels.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(px));
                        net.vit.forward(vs, pixels, pool);
                        return vs.embedding().toFloats();
                    };
                    float[] f = frameCache != null ? frameCache.features(s.key, encode) : encode.get();
                    System.arraycopy(f, 0, feats, k * featDim, vitDim);
                    visualNanos[0] += System.nanoTime() - t0;
                }
                if (cfg.video().motion()) {
                    feats[k * featDim + vitDim] = prev[0] == null ? 0 : meanAbsDiff(s.thumb, prev[0]) / 255f;
                    motion.accept(s.thumb);
                    if (stop != null) stop.accept(s.thumb);
                }
                prev[0] = s.thumb;
                st.step(k + 1, frames);
            });
            if (cfg.video().motion()) contactFeature(motion.finish(null), feats, frames, featDim, vitDim + 1);
            if (stop != null) stop.write(feats, featDim, vitDim + 2);
        }
        if (frameCache != null) counters.put("frame.hits", frameCache.stats().hits() - hits0);
        st.endExcluding(visualNanos[0] / 1e9);     // decoding and motion only
        st.add("visual", visualNanos[0] / 1e9);    // ViT time, interleaved with decoding
        counters.put("frames.sampled", (long) frames);
        return new Features(feats, frames, duration);
    }

    /** The decoder's output: log-mel [frames, nMels] (normalization undone) and how it was sampled. */
    public record Mel(float[] logMel, int frames, int windows, int steps) {}

    /**
     * Text, aligner and DiT sampling for visual features [frames, featureDim] sampled at video.fps: the log-mel of
     * {@code seconds} of audio exactly as {@link #generate} feeds it to the vocoder (the parity tests' entry point).
     */
    public Mel mel(float[] feats, int frames, String prompt, double seconds, GenerateOptions o) {
        return mel(feats, frames, prompt, seconds, o, new Stages(Progress.NONE, false));
    }

    private Mel mel(float[] feats, int frames, String prompt, double seconds, GenerateOptions o, Stages st) {
        FoleyNetConfig cfg = net.config;
        DitConfig dit = cfg.decoder().dit();
        // ---- text ----
        st.begin("text", 0);
        TextEncoder.Tokens tok = net.text.tokens(List.of(prompt, ""), cfg.text().maxTokens());

        // ---- aligner ----
        st.begin("aligner", 0);
        float[] cond = condition(feats, frames, seconds);
        return sample(tok, cond, cond.length / dit.condDim(), o, st);
    }

    /** The decoder's condition for features [frames, featureDim]: the aligner's output [melFrames, condDim] for {@code seconds}. */
    public float[] condition(float[] feats, int frames, double seconds) {
        double melRate = net.config.decoder().frameRate();
        int p = net.config.decoder().dit().patch();
        int melFrames = Math.max(p, (int) Math.ceil(seconds * melRate / p) * p);
        return net.aligner.forward(feats, Math.max(1, frames), net.config.video().fps(), melFrames, melRate, pool);
    }

    /**
     * DiT sampling alone, for a given decoder condition cond [melFrames, dit.condDim] at the mel rate (what the
     * aligner would give): the log-mel {@link #mel} returns for the same condition. {@code melFrames} must be a
     * multiple of the DiT's patch. The evaluation's entry point (real clips' envelopes as the condition).
     */
    public Mel melFromCondition(float[] cond, int melFrames, String prompt, GenerateOptions o) {
        DitConfig dit = net.config.decoder().dit();
        if (melFrames <= 0 || melFrames % dit.patch() != 0 || cond.length != melFrames * dit.condDim()) {
            throw new IllegalArgumentException("melFromCondition: cond must be [melFrames, " + dit.condDim()
                    + "] with melFrames a positive multiple of " + dit.patch() + ", got " + cond.length
                    + " values for " + melFrames + " frames");
        }
        TextEncoder.Tokens tok = net.text.tokens(List.of(prompt, ""), net.config.text().maxTokens());
        return sample(tok, cond, melFrames, o, new Stages(Progress.NONE, false));
    }

    /** The vocoder, resampled to {@link #OUTPUT_RATE}: log-mel [frames, nMels] -> mono samples. */
    public float[] vocode(float[] logMel, int frames) {
        float[] wave = net.vocoder.synthesize(logMel, frames, pool);
        return net.vocoder.sampleRate() == OUTPUT_RATE ? wave
                : Resampler.resample(wave, net.vocoder.sampleRate(), OUTPUT_RATE, Resampler.Config.HIGH);
    }

    private Mel sample(TextEncoder.Tokens tok, float[] cond, int melFrames, GenerateOptions o, Stages st) {
        FoleyNetConfig cfg = net.config;
        DitConfig dit = cfg.decoder().dit();
        double melRate = cfg.decoder().frameRate();
        int p = dit.patch();
        // ---- sampling, window by window ----
        int window = Math.min(dit.maxFrames() / p * p, melFrames);
        int overlap = window >= melFrames ? 0 : Math.min(window / 4 / p * p, (int) Math.round(melRate) / p * p);
        int[] starts = windows(melFrames, window, overlap);
        int steps = o.steps() > 0 ? o.steps() : cfg.sampler().steps();
        double scale = Double.isNaN(o.cfg()) ? cfg.sampler().cfg() : o.cfg();
        int c = dit.inChannels();
        float[] mel = new float[melFrames * c];
        float[] weight = new float[melFrames];
        st.begin("sampling", starts.length * steps);
        int[] doneSteps = {0};
        try (Arena arena = Arena.ofShared()) {
            DitState ds = new DitState(dit, pool.threads(), arena);
            int s = tok.seq(), td = tok.dim();
            Tensor text = Tensor.ofFloats(arena, java.util.Arrays.copyOfRange(tok.hidden(), 0, s * td), s, td);
            Tensor uText = Tensor.ofFloats(arena, java.util.Arrays.copyOfRange(tok.hidden(), s * td, 2 * s * td), s, td);
            Tensor mask = Tensor.ofFloats(arena, java.util.Arrays.copyOfRange(tok.mask(), 0, s), s);
            Tensor uMask = Tensor.ofFloats(arena, java.util.Arrays.copyOfRange(tok.mask(), s, 2 * s), s);
            for (int w = 0; w < starts.length; w++) {
                int a = starts[w];
                Tensor fc = Tensor.ofFloats(arena, java.util.Arrays.copyOfRange(cond, a * dit.condDim(),
                        (a + window) * dit.condDim()), window, dit.condDim());
                DitDenoiser den = scale == 1
                        ? DitDenoiser.unguided(net.decoder, ds, pool, window, text, mask, fc, arena)
                        : DitDenoiser.guided(net.decoder, ds, pool, window, scale, text, mask, fc, uText, uMask, fc, arena);
                float[] x = new float[window * c];
                GaussianNoise noise = new GaussianNoise(o.seed() + w, pool);
                noise.next(x);
                Sampler sampler = net.sampler(steps, x.length);
                sampler.sample(x, den, noise, i -> st.step(++doneSteps[0], starts.length * steps));
                accumulate(mel, weight, x, a, window, c, w == 0 ? 0 : overlap, w == starts.length - 1 ? 0 : overlap);
            }
        }
        float melScale = (float) cfg.decoder().melScale(), melShift = (float) cfg.decoder().melShift();
        float melMax = cfg.decoder().melMax() == null ? Float.POSITIVE_INFINITY : cfg.decoder().melMax().floatValue();
        for (int t = 0; t < melFrames; t++) {
            for (int j = 0; j < c; j++) mel[t * c + j] = Math.min(mel[t * c + j] / weight[t] * melScale + melShift, melMax);
        }
        return new Mel(mel, melFrames, starts.length, steps);
    }

    /**
     * The motion columns alone, [frames, count] at {@code fps}: mean absolute luma change, contact strength and (count
     * 3) motion stop, as {@link #generate} computes them for a model without a ViT whose video.motionFeatures is
     * {@code count} (the training recipe's aligner features).
     */
    public static float[] motionFeatures(Path video, double fps, int count, WorkerPool pool) throws IOException {
        if (count != 2 && count != 3) {
            throw new IllegalArgumentException("NeuralFoley.motionFeatures: count must be 2 or 3, got " + count);
        }
        VideoIndex v = VideoIndex.open(video);
        int frames = VideoFrames.plan(v, fps).length;
        float[] feats = new float[frames * count];
        float[][] prev = {null};
        MotionEvents.Analyzer motion = new MotionEvents.Analyzer(fps);
        MotionStop stop = count == 3 ? new MotionStop(frames) : null;
        VideoFrames.sample(v, fps, pool, rgb -> MotionEvents.thumbnail(rgb), (frame, thumb) -> {
            int k = frame.index();
            feats[count * k] = prev[0] == null ? 0 : meanAbsDiff(thumb, prev[0]) / 255f;
            motion.accept(thumb);
            if (stop != null) stop.accept(thumb);
            prev[0] = thumb;
        });
        contactFeature(motion.finish(null), feats, frames, count, 1);
        if (stop != null) stop.write(feats, count, 2);
        return feats;
    }

    /** A decoded frame as the sink uses it: frame-cache key and ViT crop (null without a ViT), luma thumbnail. */
    private record Sampled(FrameCache.Key key, RgbImage crop, float[] thumb) {}

    /** Window starts covering [0, total) with windows of {@code window} frames overlapping by {@code overlap}. */
    static int[] windows(int total, int window, int overlap) {
        if (window >= total) return new int[] {0};
        int stride = window - overlap;
        int count = (int) Math.ceil((total - window) / (double) stride) + 1;
        int[] s = new int[count];
        for (int i = 0; i < count; i++) s[i] = Math.min(i * stride, total - window);
        return s;
    }

    /** Adds window x [window, c] at frame a with linear fade-in/out ramps over the given overlaps. */
    static void accumulate(float[] mel, float[] weight, float[] x, int a, int window, int c, int fadeIn, int fadeOut) {
        for (int t = 0; t < window; t++) {
            float w = 1;
            if (t < fadeIn) w = (t + 0.5f) / fadeIn;
            if (t >= window - fadeOut) w = Math.min(w, (window - t - 0.5f) / fadeOut);
            weight[a + t] += w;
            for (int j = 0; j < c; j++) mel[(a + t) * c + j] += w * x[t * c + j];
        }
    }

    /**
     * Column {@code col} of feats [frames, featDim] = the contact strength between frames k and k + 1 (the analyzer's
     * curve, which indexes frame pairs), divided by the clip's largest (0 for a still clip), placed at frame k + 1.
     */
    static void contactFeature(MotionEvents.Result r, float[] feats, int frames, int featDim, int col) {
        double max = 0;
        for (double v : r.curve()) max = Math.max(max, v);
        for (int j = 0; j < r.curve().length && j + 1 < frames; j++) {
            feats[(j + 1) * featDim + col] = max > 0 ? (float) (r.curve()[j] / max) : 0f;
        }
    }

    static float meanAbsDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
        return (float) (s / a.length);
    }

    @Override
    public void close() {
        net.close();
    }
}
