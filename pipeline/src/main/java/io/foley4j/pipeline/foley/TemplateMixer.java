package io.foley4j.pipeline.foley;

import io.foley4j.pipeline.motion.MotionEvents;
import java.util.List;
import java.util.Random;

/**
 * Places recorded one-shot sounds at motion events: the sound-template path of the default model.
 *
 * <p>Each event gets one of the candidate clips (chosen by a seeded generator, never the same clip twice in a row
 * when there are several), aligned so that the clip's onset (its first sample within 30 dB of its peak) lands on
 * the event time, scaled by the event strength ({@code -18 dB .. 0 dB}), cut at {@link #MAX_CLIP_S} with a short
 * fade-out, and panned by the event's horizontal position with an equal-power law. Continuous sounds (water, fire,
 * rain...) are looped over the whole track with crossfades instead. The mix is peak-limited to {@link #PEAK}.
 */
public final class TemplateMixer {
    public static final int RATE = 48_000;
    public static final double MAX_CLIP_S = 2.0;
    public static final float PEAK = 0.89f;            // -1 dBFS
    private static final int FADE = RATE / 100;       // 10 ms

    private TemplateMixer() {}

    /** Interleaved samples [frames * channels] with one clip per event. */
    public static float[] placeEvents(List<MotionEvents.Event> events, List<float[]> clips, int frames, int channels,
            long seed) {
        check(clips, frames, channels);
        float[] out = new float[frames * channels];
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
            int start = (int) Math.round(e.time() * RATE) - onset;
            int len = Math.min(clip.length, onset + (int) (MAX_CLIP_S * RATE));
            double gainDb = -18 * (1 - Math.max(0, Math.min(1, e.strength())));
            float gain = (float) Math.pow(10, gainDb / 20);
            double pan = channels == 2 ? Math.max(0, Math.min(1, e.x())) : 0.5;
            float gl = channels == 2 ? (float) Math.cos(pan * Math.PI / 2) * (float) Math.sqrt(2) : 1;
            float gr = channels == 2 ? (float) Math.sin(pan * Math.PI / 2) * (float) Math.sqrt(2) : 1;
            for (int i = Math.max(0, -start); i < len && start + i < frames; i++) {
                float fade = i >= len - FADE && len < clip.length ? (len - i) / (float) FADE : 1f;
                float s = clip[i] * gain * fade;
                int o = (start + i) * channels;
                if (channels == 1) {
                    out[o] += s;
                } else {
                    out[o] += s * gl;
                    out[o + 1] += s * gr;
                }
            }
        }
        limit(out);
        return out;
    }

    /** Interleaved samples [frames * channels]: the clips one after another, looped, crossfaded over 50 ms. */
    public static float[] loop(List<float[]> clips, int frames, int channels, long seed) {
        check(clips, frames, channels);
        float[] mono = new float[frames];
        int xf = RATE / 20;
        Random r = new Random(seed);
        int pos = 0;
        while (pos < frames) {
            float[] clip = clips.get(r.nextInt(clips.size()));
            if (clip.length <= 2 * xf) {
                pos += Math.max(1, clip.length);
                continue;
            }
            for (int i = 0; i < clip.length && pos + i < frames; i++) {
                float g = 1;
                if (i < xf && pos > 0) g = (float) Math.sin(0.5 * Math.PI * i / xf);            // fade in over the tail
                else if (i >= clip.length - xf) g = (float) Math.cos(0.5 * Math.PI * (i - clip.length + xf) / xf);
                mono[pos + i] += clip[i] * g;
            }
            pos += clip.length - xf;
        }
        float[] out = new float[frames * channels];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) out[i * channels + c] = mono[i];
        }
        limit(out);
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

    /** Scales the whole mix down when its peak exceeds {@link #PEAK} (one gain: no pumping, no distortion). */
    static void limit(float[] x) {
        float peak = 0;
        for (float v : x) peak = Math.max(peak, Math.abs(v));
        if (peak > PEAK) {
            float g = PEAK / peak;
            for (int i = 0; i < x.length; i++) x[i] *= g;
        }
    }

    private static void check(List<float[]> clips, int frames, int channels) {
        if (clips.isEmpty()) throw new IllegalArgumentException("TemplateMixer: no clips to place");
        if (frames < 0) throw new IllegalArgumentException("TemplateMixer: frames must be >= 0, got " + frames);
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
