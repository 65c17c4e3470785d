package io.foley4j.pipeline.foley;

import io.foley4j.engine.WorkerPool;
import io.foley4j.models.bert.BertPooling;
import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.cache.SoundTemplateCache;
import io.foley4j.pipeline.audio.WavWriter;
import io.foley4j.pipeline.motion.MotionEvents;
import io.foley4j.pipeline.video.VideoIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The default model until trained decoder weights exist: real recordings placed at the video's motion events.
 *
 * <p>The prompt is embedded by the real MiniLM text encoder and compared with the embedded description of every
 * recording in the {@link SoundBank}; the best match fixes the kind of sound, and the recordings of its category
 * that match nearly as well become the candidates. Motion events come from {@link MotionEvents}; one-shots land on
 * them ({@link TemplateMixer#placeEvents}), continuous sounds are looped ({@link TemplateMixer#loop}). The track
 * is exactly as long as the video (or {@code seconds}). No sound is synthesized from noise.
 */
public final class TemplateFoley implements Generator {
    /** Candidates: same category as the best match and cosine within this margin of it. */
    public static final double MARGIN = 0.08;
    public static final int MAX_CANDIDATES = 6;
    public static final double MAX_VIDEO_SECONDS = 3600;

    private final TextEncoder text;
    private final SoundBank bank;
    private final WorkerPool pool;
    private final List<SoundBank.Sound> sounds;
    private final float[][] soundEmbeddings;          // [sounds][dim], L2-normalized
    private final Map<String, Integer> index = new java.util.HashMap<>();   // sound id -> position in sounds
    private final SoundTemplateCache templates;
    private final AtomicLong running = new AtomicLong();

    /** A prompt this close (cosine) to a cached template's description reuses the cached recordings. */
    public static final double REUSE_THRESHOLD = 0.9;

    public TemplateFoley(TextEncoder text, SoundBank bank, WorkerPool pool, SoundTemplateCache templates) {
        this(text, bank, pool, templates, null);
    }

    /**
     * {@code embeddingCache} (nullable): a folder where the descriptions' embeddings are kept between runs, keyed by
     * the text encoder and the exact description list (embedding them cold costs seconds; reading them, milliseconds).
     */
    public TemplateFoley(TextEncoder text, SoundBank bank, WorkerPool pool, SoundTemplateCache templates,
                         Path embeddingCache) {
        this.text = text;
        this.bank = bank;
        this.pool = pool;
        this.sounds = List.copyOf(bank.sounds());
        if (sounds.isEmpty()) throw new IllegalArgumentException("TemplateFoley: the sound bank " + bank.describe() + " is empty");
        // embed each distinct description once (numbered variants of a recording share one)
        Map<String, Integer> distinct = new LinkedHashMap<>();
        for (SoundBank.Sound s : sounds) distinct.putIfAbsent(s.description(), distinct.size());
        float[][] e = embeddings(text, new ArrayList<>(distinct.keySet()), embeddingCache);
        this.soundEmbeddings = new float[sounds.size()][];
        for (int i = 0; i < sounds.size(); i++) soundEmbeddings[i] = e[distinct.get(sounds.get(i).description())];
        this.templates = templates;
        for (int i = 0; i < sounds.size(); i++) index.put(sounds.get(i).id(), i);
    }

    /** The texts' embeddings, read from {@code dir} when a file for exactly this encoder and list is there. */
    static float[][] embeddings(TextEncoder text, List<String> texts, Path dir) {
        if (dir == null) return text.embed(texts);
        String key;
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(text.describe().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (String t : texts) {
                md.update((byte) 0);
                md.update(t.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            key = java.util.HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
        Path f = dir.resolve("description-embeddings-" + key + ".f32");
        int dim = text.dim();
        try {
            if (java.nio.file.Files.size(f) == (long) texts.size() * dim * 4) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(f))
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                float[][] out = new float[texts.size()][dim];
                for (int i = 0; i < out.length; i++) {
                    for (int j = 0; j < dim; j++) out[i][j] = b.getFloat((i * dim + j) * 4);
                }
                return out;
            }
        } catch (java.io.IOException ignored) {
            // absent or unreadable: embed and (re)write it below
        }
        float[][] e = text.embed(texts);
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(texts.size() * dim * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float[] row : e) for (float v : row) b.putFloat(v);
            Path tmp = java.nio.file.Files.createTempFile(dir, "embeddings", ".part");
            java.nio.file.Files.write(tmp, b.array());
            java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException ex) {
            System.err.println("foley4j: could not keep the description embeddings in " + dir + ": " + ex.getMessage());
        }
        return e;
    }

    @Override
    public String describe() {
        return "default: sound templates (" + sounds.size() + " real recordings from " + bank.describe()
                + ") placed at motion events, prompts matched by " + text.describe();
    }

    /** Recordings ranked for {@code prompt}: best first, with their cosine similarity. */
    public List<Map.Entry<SoundBank.Sound, Double>> rank(String prompt) {
        return rank(text.embed(prompt));
    }

    private List<Map.Entry<SoundBank.Sound, Double>> rank(float[] e) {
        List<Map.Entry<SoundBank.Sound, Double>> out = new ArrayList<>();
        for (int i = 0; i < sounds.size(); i++) {
            out.add(Map.entry(sounds.get(i), BertPooling.cosine(e, soundEmbeddings[i])));
        }
        out.sort(Comparator.comparingDouble((Map.Entry<SoundBank.Sound, Double> x) -> -x.getValue())
                .thenComparing(x -> x.getKey().id()));
        return out;
    }

    /** The best match and the recordings of its category within {@link #MARGIN}, at most {@link #MAX_CANDIDATES}. */
    List<SoundBank.Sound> candidates(float[] promptEmbedding) {
        List<Map.Entry<SoundBank.Sound, Double>> ranked = rank(promptEmbedding);
        SoundBank.Sound best = ranked.get(0).getKey();
        double top = ranked.get(0).getValue();
        List<SoundBank.Sound> out = new ArrayList<>();
        for (Map.Entry<SoundBank.Sound, Double> e : ranked) {
            if (e.getValue() < top - MARGIN || out.size() == MAX_CANDIDATES) break;
            if (e.getKey().category().equals(best.category()) && e.getKey().continuous() == best.continuous()) {
                out.add(e.getKey());
            }
        }
        return out;
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
        Stages st = new Stages(progress, running.get() == 1);
        Map<String, Long> counters = new LinkedHashMap<>();
        GenerateOptions o = req.options();

        st.begin("decode", 0);
        VideoIndex video = VideoIndex.open(req.video());
        double duration = video.durationSeconds();
        if (duration > MAX_VIDEO_SECONDS) {
            throw new FoleyInputException(FoleyInputException.Kind.TOO_LARGE, "video " + req.video() + " lasts "
                    + duration + " s, more than " + MAX_VIDEO_SECONDS + " s");
        }
        MotionEvents.Result motion = MotionEvents.detect(video, pool, st::step);
        counters.put("frames.analysed", (long) motion.curve().length + 1);
        counters.put("motion.events", (long) motion.events().size());

        st.begin("text", 0);
        float[] prompt = text.embed(req.prompt());

        st.begin("templates", 0);
        List<SoundBank.Sound> chosen = new ArrayList<>();
        List<float[]> audio = new ArrayList<>();
        if (!fromCache(prompt, chosen, audio)) {
            chosen.addAll(candidates(prompt));
            for (SoundBank.Sound s : chosen) {
                float[] a = bank.load(s);
                audio.add(a);
                templates.put(new SoundTemplateCache.Entry(s.description(), soundEmbeddings[index.get(s.id())], null,
                        a, s.id()));
                st.step(audio.size(), chosen.size());
            }
            counters.put("template.hit", 0L);
        } else {
            counters.put("template.hit", 1L);
        }

        st.begin("mix", 0);
        double seconds = Double.isNaN(o.seconds()) ? duration : o.seconds();
        long frames = Math.round(seconds * TemplateMixer.RATE);
        boolean loop = chosen.get(0).continuous();
        List<TemplateMixer.Placement> plan = loop
                ? TemplateMixer.loop(audio, frames, o.seed())
                : TemplateMixer.placeEvents(motion.events(), audio, o.channels(), o.seed());
        int block = TemplateMixer.RATE * 10;
        float peak = TemplateMixer.peak(plan, audio, o.channels(), frames, block);
        float gain = peak > TemplateMixer.PEAK ? TemplateMixer.PEAK / peak : 1f;

        st.begin("write", 0);
        try (WavWriter w = WavWriter.open(out, TemplateMixer.RATE, o.channels(), Wav.Format.PCM16)) {
            float[] buf = new float[block * o.channels()];
            for (long f = 0; f < frames; f += block) {
                long to = Math.min(frames, f + block);
                TemplateMixer.render(plan, audio, o.channels(), f, to, buf);
                int n = (int) (to - f) * o.channels();
                for (int i = 0; i < n; i++) buf[i] *= gain;
                w.write(buf, 0, (int) (to - f));
            }
            w.finish();
        }
        Path muxed = null;
        if (o.mux() != null) {
            st.begin("mux", 0);
            muxed = Muxing.addAudio(req.video(), out, o.mux());
        }
        List<StageTiming> timings = st.timings();
        String model = "default sound templates: " + (loop ? "looped " : "placed at " + motion.events().size()
                + " motion events: ") + chosen.get(0).description() + " (" + chosen.get(0).category() + ", "
                + chosen.size() + " recordings)";
        return new FoleyResult(out, muxed, TemplateMixer.RATE, o.channels(), frames / (double) TemplateMixer.RATE,
                timings, Math.max(st.peak(), Rss.peakBytes()), counters, model);
    }

    /**
     * A cached template within {@link #REUSE_THRESHOLD} of the prompt: its category's cached recordings within
     * {@link #MARGIN} of the prompt become the candidates (no ranking of the library, no decoding).
     */
    private boolean fromCache(float[] prompt, List<SoundBank.Sound> chosen, List<float[]> audio) {
        java.util.Optional<SoundTemplateCache.Match> m = templates.find(prompt, null, REUSE_THRESHOLD);
        if (m.isEmpty() || !index.containsKey(m.get().entry().source())) return false;
        SoundBank.Sound best = sounds.get(index.get(m.get().entry().source()));
        List<Map.Entry<SoundTemplateCache.Entry, Double>> same = new ArrayList<>();
        for (SoundTemplateCache.Entry e : templates.entries()) {
            Integer i = index.get(e.source());
            if (i == null || !sounds.get(i).category().equals(best.category())
                    || sounds.get(i).continuous() != best.continuous()) continue;
            double c = BertPooling.cosine(prompt, e.text());
            if (c >= m.get().textScore() - MARGIN) same.add(Map.entry(e, c));
        }
        same.sort(Comparator.comparingDouble((Map.Entry<SoundTemplateCache.Entry, Double> x) -> -x.getValue())
                .thenComparing(x -> x.getKey().source()));
        for (Map.Entry<SoundTemplateCache.Entry, Double> e : same.subList(0, Math.min(MAX_CANDIDATES, same.size()))) {
            chosen.add(sounds.get(index.get(e.getKey().source())));
            audio.add(e.getKey().audio());
        }
        return !chosen.isEmpty();
    }

    public Map<String, Long> counters() {
        return templates.counters("template");
    }

    @Override
    public void close() {
        text.close();
    }
}
