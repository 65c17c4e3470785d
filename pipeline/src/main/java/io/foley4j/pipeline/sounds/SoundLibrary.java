package io.foley4j.pipeline.sounds;

import io.foley4j.pipeline.audio.Resampler;
import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.audio.WavReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An index of real recordings under a folder laid out as {@code scripts/fetch-sounds.sh} leaves it:
 * {@code root/<package>/<the package's own tree>}, with the package's Debian copyright file at
 * {@code root/<package>/usr/share/doc/<name>/copyright}. Each decodable file (WAV, Ogg Vorbis) becomes a {@link Clip}
 * with a description in words taken from its file name and folder, a {@link Category}, its package, the licence the
 * copyright file gives it, and its duration (read from headers, without decoding). Files in audio formats we cannot
 * decode are listed in {@link #skipped()}; other files (text, copyright) are ignored. Symbolic links are not followed
 * (sound themes alias one recording under many names).
 */
public final class SoundLibrary {
    public static final int SAMPLE_RATE = 48_000;

    /**
     * One recording.
     *
     * @param id          the path under the library's root, '/'-separated (unique; a stable cache key)
     * @param description lower-case words ("dig gravel", "door close")
     * @param pkg         the folder under the root it came from (the Debian package name)
     * @param license     the licence the package's copyright file gives this file, or "unknown"
     */
    public record Clip(Path file, String id, String description, Category category, String pkg, String license,
                       double seconds, int sampleRate, int channels) {}

    /** A file that looks like audio but was not indexed, and why. */
    public record Skipped(Path file, String reason) {}

    private static final Set<String> DECODABLE = Set.of("wav", "ogg", "oga");
    private static final Set<String> OTHER_AUDIO = Set.of("wv", "flac", "mp3", "opus", "spx", "aif", "aiff", "au",
            "m4a", "aac", "wma", "mid", "midi", "mod", "xm", "it", "s3m", "voc", "caf");
    private static final Set<String> STOP = Set.of("default", "sound", "sounds", "sfx", "snd", "fx", "foley", "the",
            "a", "an", "of", "and", "node", "mono", "stereo");
    /** Folders that say nothing about the sound ("sounds", "stereo", "usr"...): skipped when looking for context. */
    private static final Set<String> GENERIC_DIRS = Set.of("sounds", "sound", "sfx", "snd", "audio", "wav", "ogg",
            "data", "stereo", "mono", "share", "usr", "games", "media", "effects", "samples");

    private final Path root;
    private final List<Clip> clips;
    private final List<Skipped> skipped;

    private SoundLibrary(Path root, List<Clip> clips, List<Skipped> skipped) {
        this.root = root;
        this.clips = List.copyOf(clips);
        this.skipped = List.copyOf(skipped);
    }

    /** Indexes every file under {@code root} (recursively, in path order). */
    public static SoundLibrary index(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException("sound library " + root + " is not a folder");
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        Map<String, DebianCopyright> copyrights = new HashMap<>();
        List<Clip> clips = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Path f : files) {
            String ext = extension(f);
            if (OTHER_AUDIO.contains(ext)) {
                skipped.add(new Skipped(f, "unsupported format ." + ext + " (decodable: .wav, .ogg, .oga)"));
                continue;
            }
            if (!DECODABLE.contains(ext)) continue;
            Path rel = root.relativize(f);
            String pkg = rel.getNameCount() > 1 ? rel.getName(0).toString() : "";
            String inPkg = (rel.getNameCount() > 1 ? rel.subpath(1, rel.getNameCount()) : rel).toString().replace('\\', '/');
            DebianCopyright cr = copyrights.get(pkg);
            if (cr == null) copyrights.put(pkg, cr = copyrightOf(root.resolve(pkg)));
            try {
                clips.add(clip(f, rel.toString().replace('\\', '/'), pkg, cr.licenseOf(inPkg)));
            } catch (IOException e) {
                skipped.add(new Skipped(f, e.getMessage()));
            }
        }
        return new SoundLibrary(root, clips, skipped);
    }

    public Path root() { return root; }

    public List<Clip> clips() { return clips; }

    public List<Skipped> skipped() { return skipped; }

    public List<Clip> byCategory(Category c) {
        return clips.stream().filter(x -> x.category() == c).toList();
    }

    /** Clips per category (every category present, possibly 0). */
    public Map<Category, Integer> counts() {
        Map<Category, Integer> m = new EnumMap<>(Category.class);
        for (Category c : Category.values()) m.put(c, 0);
        for (Clip c : clips) m.merge(c.category(), 1, Integer::sum);
        return m;
    }

    /**
     * A keyword fallback for when no text encoder is at hand: clips sharing words with {@code prompt}, best first.
     * Score = shared words (plural 's' ignored) + 0.5 when the prompt's category is the clip's; ties by id.
     */
    public List<Clip> search(String prompt, int limit) {
        List<String> words = words(prompt);
        Set<String> q = new HashSet<>();
        for (String w : words) q.add(stem(w));
        Category cat = Category.of(words);
        record Scored(Clip clip, double score) {}
        List<Scored> out = new ArrayList<>();
        for (Clip c : clips) {
            double s = 0;
            for (String w : new HashSet<>(words(c.description()))) if (q.contains(stem(w))) s++;
            if (cat != Category.OTHER && cat == c.category()) s += 0.5;
            if (s > 0) out.add(new Scored(c, s));
        }
        out.sort(Comparator.comparingDouble((Scored x) -> -x.score).thenComparing(x -> x.clip.id()));
        return out.stream().limit(limit).map(Scored::clip).toList();
    }

    /** The clip's samples as mono (the channels' mean) at 48 kHz. */
    public static float[] loadMono48k(Clip clip) throws IOException {
        return loadMono48k(clip.file());
    }

    /** A WAV or Ogg Vorbis file as mono (the channels' mean) at 48 kHz, resampled with {@link Resampler.Config#HIGH}. */
    public static float[] loadMono48k(Path file) throws IOException {
        Wav.Audio a = decode(file);
        float[] mono = a.channels() == 1 ? a.samples() : downmix(a);
        return a.sampleRate() == SAMPLE_RATE ? mono
                : Resampler.resample(mono, a.sampleRate(), SAMPLE_RATE, Resampler.Config.HIGH);
    }

    /** Decodes a WAV or Ogg Vorbis file at its own rate and channel count. */
    public static Wav.Audio decode(Path file) throws IOException {
        String ext = extension(file);
        if (ext.equals("wav")) return Wav.read(file);
        if (ext.equals("ogg") || ext.equals("oga")) return OggVorbis.decode(file);
        throw new IOException("sound " + file + ": unsupported format ." + ext + " (decodable: .wav, .ogg, .oga)");
    }

    /**
     * Words describing a file: its name split at separators, digits and camel case, lower-cased, without variant
     * numbers, filler words ("default", "sound"...) and a leading repeat of its context folder's name
     * ("doors/sounds/doors_door_close.ogg" -> "door close", "default_dig_gravel.1.ogg" -> "dig gravel").
     */
    public static String describe(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        List<String> words = words(dot > 0 ? name.substring(0, dot) : name);
        words.removeIf(STOP::contains);
        List<String> ctx = words(contextFolder(file));
        int k = 0;
        while (k < ctx.size() && k < words.size() - 1 && words.get(k).equals(ctx.get(k))) k++;
        List<String> kept = new ArrayList<>(words.subList(k, words.size()));
        for (int i = kept.size() - 1; i > 0; i--) if (kept.get(i).equals(kept.get(i - 1))) kept.remove(i);
        return String.join(" ", kept);
    }

    /** The category of the description's words, else of the context folder's words. */
    public static Category categorize(Path file, String description) {
        Category c = Category.of(words(description));
        return c != Category.OTHER ? c : Category.of(words(contextFolder(file)));
    }

    private static Clip clip(Path f, String id, String pkg, String license) throws IOException {
        int rate, channels;
        long frames;
        if (extension(f).equals("wav")) {
            try (WavReader r = WavReader.open(f)) {
                rate = r.header().sampleRate();
                channels = r.header().channels();
                frames = r.header().frames();
            }
        } else {
            OggVorbis.Probe p = OggVorbis.probe(f);
            rate = p.sampleRate();
            channels = p.channels();
            frames = p.frames();
        }
        if (frames <= 0) throw new IOException("sound " + f + ": no samples");
        String d = describe(f);
        return new Clip(f, id, d, categorize(f, d), pkg, license, frames / (double) rate, rate, channels);
    }

    /** The nearest enclosing folder whose name is not generic ("mods/doors/sounds/x.ogg" -> "doors"), or "". */
    private static String contextFolder(Path file) {
        for (Path p = file.getParent(); p != null && p.getFileName() != null; p = p.getParent()) {
            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!GENERIC_DIRS.contains(n)) return n;
        }
        return "";
    }

    private static DebianCopyright copyrightOf(Path pkgDir) throws IOException {
        Path doc = pkgDir.resolve("usr/share/doc");
        if (!Files.isDirectory(doc)) return DebianCopyright.parse("");
        try (Stream<Path> s = Files.list(doc)) {
            Path cr = s.map(d -> d.resolve("copyright")).filter(Files::isRegularFile).sorted().findFirst().orElse(null);
            return cr == null ? DebianCopyright.parse("") : DebianCopyright.parse(cr);
        }
    }

    private static float[] downmix(Wav.Audio a) {
        int c = a.channels(), n = a.frames();
        float[] s = a.samples(), out = new float[n];
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int k = 0; k < c; k++) sum += s[i * c + k];
            out[i] = sum / c;
        }
        return out;
    }

    /** Lower-case words of letters, split at non-letters and at lower-to-upper case changes. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean letter = Character.isLetter(ch);
            boolean camel = letter && Character.isUpperCase(ch) && i > 0 && Character.isLowerCase(s.charAt(i - 1));
            if ((!letter || camel) && !w.isEmpty()) {
                out.add(w.toString());
                w.setLength(0);
            }
            if (letter) w.append(Character.toLowerCase(ch));
        }
        if (!w.isEmpty()) out.add(w.toString());
        return out;
    }

    private static String stem(String w) {
        return w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.substring(0, w.length() - 1) : w;
    }

    private static String extension(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
