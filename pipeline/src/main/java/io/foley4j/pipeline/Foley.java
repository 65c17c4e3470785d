package io.foley4j.pipeline;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.cache.FrameCache;
import io.foley4j.pipeline.cache.SoundTemplateCache;
import io.foley4j.pipeline.foley.FoleyInputException;
import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.GenerateOptions;
import io.foley4j.pipeline.foley.Generator;
import io.foley4j.pipeline.foley.Precision;
import io.foley4j.pipeline.foley.Progress;
import io.foley4j.pipeline.foley.TemplateFoley;
import io.foley4j.pipeline.foley.TextEncoder;
import io.foley4j.pipeline.foleynet.FoleyNet;
import io.foley4j.pipeline.foleynet.FoleyNetConfig;
import io.foley4j.pipeline.foleynet.NeuralFoley;
import io.foley4j.pipeline.foley.LibraryBank;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java API: load a model once, generate many times, from many threads at once. Owns its worker threads and
 * caches (no global state); close it to release them and the mapped weights.
 *
 * <pre>{@code
 * try (Foley foley = Foley.load("default", Foley.Options.defaults())) {
 *     FoleyResult r = foley.generate(Path.of("clip.mp4"), "footsteps on gravel", Path.of("clip.wav"));
 * }
 * }</pre>
 */
public final class Foley implements Generator {
    /**
     * @param home            where converted weights and fetched recordings are kept
     * @param threads         worker threads (0: all cores)
     * @param frameCacheBytes bound of the frame-feature cache (0: no cache)
     * @param templateBytes   bound of the sound-template cache
     */
    public record Options(Precision precision, int threads, Path home, long frameCacheBytes, long templateBytes) {
        public Options {
            if (threads < 0 || threads > 1024) throw new IllegalArgumentException("Foley.Options: threads " + threads);
            if (frameCacheBytes < 0 || templateBytes < 1) {
                throw new IllegalArgumentException("Foley.Options: cache sizes must be >= 0 (frames) and > 0 (templates)");
            }
        }

        public static Options defaults() {
            return new Options(Precision.MIXED, 0, defaultHome(), 256L << 20, 256L << 20);
        }

        public Options withPrecision(Precision p) { return new Options(p, threads, home, frameCacheBytes, templateBytes); }
        public Options withThreads(int t) { return new Options(precision, t, home, frameCacheBytes, templateBytes); }
        public Options withHome(Path h) { return new Options(precision, threads, h, frameCacheBytes, templateBytes); }
        public Options withFrameCacheBytes(long b) { return new Options(precision, threads, home, b, templateBytes); }
    }

    private final WorkerPool pool;
    private final Generator delegate;
    private final FrameCache frameCache;
    private final SoundTemplateCache templates;

    private Foley(WorkerPool pool, Generator delegate, FrameCache frameCache, SoundTemplateCache templates) {
        this.pool = pool;
        this.delegate = delegate;
        this.frameCache = frameCache;
        this.templates = templates;
    }

    /**
     * {@code model}: "default" (real recordings placed at motion events, prompts matched by MiniLM; the recordings
     * come from {@code home/sounds}, fetched by scripts/fetch-sounds.sh), a FoleyNet folder, or
     * {@code classpath:/path} for a FoleyNet folder shipped on the class path (copied to {@code home} once).
     */
    public static Foley load(String model, Options o) throws IOException {
        WorkerPool pool = new WorkerPool(o.threads() == 0 ? Runtime.getRuntime().availableProcessors() : o.threads());
        try {
            FrameCache frames = o.frameCacheBytes() == 0 ? null : new FrameCache(o.frameCacheBytes());
            SoundTemplateCache templates = new SoundTemplateCache(o.templateBytes());
            Generator g;
            if ("default".equals(model)) {
                Path sounds = o.home().resolve("sounds");
                if (!Files.isDirectory(sounds)) {
                    throw new IOException("default model: no recordings in " + sounds + " (fetch them with "
                            + "scripts/fetch-sounds.sh " + sounds + ", or run bin/foley demo, which does it)");
                }
                LibraryBank bank = LibraryBank.open(sounds);
                g = new TemplateFoley(TextEncoder.miniLm(o.home(), o.precision(), pool), bank, pool, templates);
            } else {
                Path dir = model.startsWith(CLASSPATH) ? fromClasspath(model.substring(CLASSPATH.length()), o.home())
                        : Path.of(model);
                if (!Files.isRegularFile(dir.resolve(FoleyNetConfig.FILE))) {
                    throw new FoleyInputException(FoleyInputException.Kind.BAD_PARAMETER, "model '" + model
                            + "' is neither 'default' nor a FoleyNet folder (one holding " + FoleyNetConfig.FILE + ")");
                }
                g = new NeuralFoley(FoleyNet.open(dir, o.precision(), pool, o.home()), pool, frames);
            }
            return new Foley(pool, g, frames, templates);
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Prefix of a FoleyNet folder on the class path: {@code classpath:/models/name} holds foleynet.json. */
    public static final String CLASSPATH = "classpath:";

    /**
     * Copies the FoleyNet folder at class-path resource {@code root} (its foleynet.json and the weight files it names)
     * into {@code home/classpath/...} once, so the weights can be memory-mapped, and returns that folder.
     */
    static Path fromClasspath(String root, Path home) throws IOException {
        String base = root.startsWith("/") ? root : "/" + root;
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        Path dir = home.resolve("classpath" + base).normalize();
        if (!dir.startsWith(home.resolve("classpath").normalize())) {
            throw new FoleyInputException(FoleyInputException.Kind.BAD_PARAMETER, "model '" + root + "': bad path");
        }
        if (Files.isRegularFile(dir.resolve(FoleyNetConfig.FILE))) return dir;
        Files.createDirectories(dir);
        Path staging = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".part");
        try {
            copyResource(base + "/" + FoleyNetConfig.FILE, staging.resolve(FoleyNetConfig.FILE));
            FoleyNetConfig cfg = FoleyNetConfig.read(staging);
            for (String f : new String[] {cfg.video().vit(), cfg.aligner().file(), cfg.decoder().file(),
                    cfg.vocoder().file()}) {
                if (f != null) copyResource(base + "/" + f, staging.resolve(f));
            }
            for (Path p : Files.list(staging).toList()) {
                Files.move(p, dir.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            try (var s = Files.list(staging)) {
                for (Path p : s.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(staging);
        }
        return dir;
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (java.io.InputStream in = Foley.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new FoleyInputException(FoleyInputException.Kind.BAD_PARAMETER, "model: no class-path resource " + name);
            }
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** $FOLEY4J_HOME, else ~/.cache/foley4j. */
    public static Path defaultHome() {
        String env = System.getenv("FOLEY4J_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "foley4j");
    }

    public FoleyResult generate(Path video, String prompt, Path out) throws IOException {
        return generate(new FoleyRequest(video, prompt, GenerateOptions.defaults()), out, Progress.NONE);
    }

    @Override
    public FoleyResult generate(FoleyRequest request, Path out, Progress progress) throws IOException {
        return delegate.generate(request, out, progress);
    }

    /** Cache hits, misses, bytes and evictions (frame.*, template.*) since loading. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (frameCache != null) m.putAll(frameCache.counters("frame"));
        m.putAll(templates.counters("template"));
        return m;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            pool.close();
        }
    }
}
