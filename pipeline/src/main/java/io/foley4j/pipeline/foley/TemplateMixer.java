package io.foley4j.pipeline.foley;

import io.foley4j.pipeline.motion.MotionEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Places recorded sounds on a track: the sound-template path of the default model.
 *
 * <p>One-shots ({@link #placeEvents}): each event gets one of the candidate clips (chosen by a seeded generator, never
 * the same clip twice in a row when there are several), aligned so that the clip's onset (its first sample within
 * 30 dB of its peak) lands on the event time, scaled by the event strength ({@code -18 dB .. 0 dB}), cut at
 * {@link #MAX_CLIP_S} with a 10 ms fade-out, and panned by the event's horizontal position with an equal-power law.
 * Continuous sounds ({@link #loop}) are the clips one after another, cross-faded over 50 ms, over the whole track.
 *
 * <p>A plan is a list of placements; {@link #render} mixes any block of the track from it, so a long track streams to
 * the WAV writer a block at a time and never sits whole in memory. {@link #peak} + {@link #PEAK} give the single
 * gain that keeps the mix below -1 dBFS (no pumping, no distortion).
 */
public final class TemplateMixer {
    public static final int RATE = 48_000;
    public static final double MAX_CLIP_S = 2.0;
    public static final float PEAK = 0.89f;            // -1 dBFS
    private static final int FADE = RATE / 100;       // 10 ms
    private static final int XFADE = RATE / 20;       // 50 ms

    private TemplateMixer() {}

    /**
     * Clip {@code clip} samples [0, length) placed at track frame {@code start} with gains per channel, a linear
     * fade-out over the last {@code fadeOut} samples and a sine fade-in over the first {@code fadeIn}.
     */
    public record Placement(long start, int clip, int length, float left, float right, int fadeIn, int fadeOut) {}

    /** Plan for one-shots at {@code events}. */
    public static List<Placement> placeEvents(List<MotionEvents.Event> events, List<float[]> clips, int channels,
            long seed) {
        check(clips, channels);
        List<Placement> out = new ArrayList<>();
        Random r = new Random(seed);
        int last = -1;
        for (MotionEvents.Event e : events) {
            int pick = 0;
            if (clips.size() > 1) {
                pick = r.nextInt(clips.size() - (last < 0 ? 0 : 1));
                if (last >= 0 && pick >= last) pick++;             // skip the previous clip
            }
            last = pick;
            float[] clip = clips.get(pick);
            int onset = onset(clip);
            int len = Math.min(clip.length, onset + (int) (MAX_CLIP_S * RATE));
            float gain = (float) Math.pow(10, -18 * (1 - Math.max(0, Math.min(1, e.strength()))) / 20);
            double pan = Math.max(0, Math.min(1, e.x()));
            float gl = channels == 2 ? gain * (float) (Math.cos(pan * Math.PI / 2) * Math.sqrt(2)) : gain;
            float gr = channels == 2 ? gain * (float) (Math.sin(pan * Math.PI / 2) * Math.sqrt(2)) : gain;
            out.add(new Placement(Math.round(e.time() * RATE) - onset, pick, len, gl, gr, 0,
                    len < clip.length ? Math.min(FADE, len) : 0));
        }
        return out;
    }

    /** Plan for a continuous sound: clips drawn by a seeded generator, back to back over {@code frames}. */
    public static List<Placement> loop(List<float[]> clips, long frames, long seed) {
        check(clips, 1);
        List<Placement> out = new ArrayList<>();
        Random r = new Random(seed);
        long pos = 0;
        int tooShort = 0;
        while (pos < frames) {
            int pick = r.nextInt(clips.size());
            float[] clip = clips.get(pick);
            if (clip.length <= 2 * XFADE) {                    // fragments cannot carry a cross-fade
                if (++tooShort > 64) break;
                continue;
            }
            out.add(new Placement(pos, pick, clip.length, 1f, 1f, pos == 0 ? 0 : XFADE, XFADE));
            pos += clip.length - XFADE;
        }
        return out;
    }

    /** Mixes the plan into {@code out[0, (to - from) * channels)}: track frames [from, to), interleaved. */
    public static void render(List<Placement> plan, List<float[]> clips, int channels, long from, long to, float[] out) {
        int n = (int) (to - from);
        java.util.Arrays.fill(out, 0, n * channels, 0f);
        for (Placement p : plan) {
            long a = Math.max(from, p.start()), b = Math.min(to, p.start() + p.length());
            if (a >= b) continue;
            float[] clip = clips.get(p.clip());
            for (long t = a; t < b; t++) {
                int i = (int) (t - p.start());
                float g = 1f;
                if (i < p.fadeIn()) g = (float) Math.sin(0.5 * Math.PI * i / p.fadeIn());
                if (i >= p.length() - p.fadeOut()) {
                    g *= p.fadeOut() == XFADE ? (float) Math.cos(0.5 * Math.PI * (i - p.length() + p.fadeOut()) / p.fadeOut())
                            : (p.length() - i) / (float) p.fadeOut();
                }
                float s = clip[i] * g;
                int o = (int) (t - from) * channels;
                if (channels == 1) {
                    out[o] += s * p.left();
                } else {
                    out[o] += s * p.left();
                    out[o + 1] += s * p.right();
                }
            }
        }
    }

    /** The largest absolute sample of the rendered track of {@code frames} frames (rendered block by block). */
    public static float peak(List<Placement> plan, List<float[]> clips, int channels, long frames, int block) {
        float[] buf = new float[block * channels];
        float peak = 0;
        for (long f = 0; f < frames; f += block) {
            long to = Math.min(frames, f + block);
            render(plan, clips, channels, f, to, buf);
            for (int i = 0; i < (to - f) * channels; i++) peak = Math.max(peak, Math.abs(buf[i]));
        }
        return peak;
    }

    /** The whole track as one array (tests, short tracks): rendered and limited. */
    public static float[] mix(List<Placement> plan, List<float[]> clips, int channels, int frames) {
        float[] out = new float[frames * channels];
        render(plan, clips, channels, 0, frames, out);
        float peak = 0;
        for (float v : out) peak = Math.max(peak, Math.abs(v));
        if (peak > PEAK) {
            for (int i = 0; i < out.length; i++) out[i] *= PEAK / peak;
        }
        return out;
    }

    /** First sample within 30 dB of the clip's peak (0 for silence). */
    static int onset(float[] clip) {
        float peak = 0;
        for (float v : clip) peak = Math.max(peak, Math.abs(v));
        float thr = peak * 0.0316f;
        for (int i = 0; i < clip.length; i++) {
            if (Math.abs(clip[i]) >= thr && peak > 0) return i;
        }
        return 0;
    }

    private static void check(List<float[]> clips, int channels) {
        if (clips.isEmpty()) throw new IllegalArgumentException("TemplateMixer: no clips to place");
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("TemplateMixer: channels must be 1 or 2, got " + channels);
        }
        for (float[] c : clips) {
            for (float v : c) {
                if (!Float.isFinite(v)) throw new IllegalArgumentException("TemplateMixer: a clip holds " + v);
            }
        }
    }
}
