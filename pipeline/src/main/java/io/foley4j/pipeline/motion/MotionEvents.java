package io.foley4j.pipeline.motion;

import io.foley4j.engine.WorkerPool;
import io.foley4j.pipeline.video.RgbImage;
import io.foley4j.pipeline.video.VideoFrames;
import io.foley4j.pipeline.video.VideoIndex;
import java.util.ArrayList;
import org.jcodec.common.model.Picture;
import java.util.List;

/**
 * Sound events seen in a video: the moments where something moving downwards stops or turns back (an impact, a
 * footstep, a bounce), found without any learned weights.
 *
 * <p>Each frame is reduced to a small luma thumbnail. The frame difference {@code |L_t - L_{t-1}|} (ignoring codec
 * noise below {@link #NOISE}) is split into vertical strips; in each strip the difference's vertical centroid moves
 * with whatever moves there, so its velocity {@code v_t = c_t - c_{t-1}} (pixels per frame, down positive) turns from
 * positive to negative at a floor contact. The onset strength of a strip is the drop {@code v_{t-1} - v_t} while the
 * strip has motion mass in both differences; the clip's curve is the sum over strips, and events are its peaks above
 * an adaptive threshold, at least {@link #MIN_GAP} seconds apart, timed by a parabola through the peak.
 */
public final class MotionEvents {
    /** One event: time (s), horizontal position (0 left .. 1 right) and strength (0..1, relative to the clip's loudest). */
    public record Event(double time, double x, double strength) {}

    /** Events, the onset curve (one value per pair of consecutive frames, at {@code times}), and the analysis rate. */
    public record Result(List<Event> events, double[] times, double[] curve, double fps, VideoFrames.DecodeStats stats) {}

    public static final int THUMB_W = 160, THUMB_H = 90, STRIPS = 16;
    /** Luma differences at or below this (0..255) are codec noise. */
    public static final float NOISE = 10f;
    public static final double MIN_GAP = 0.09;
    /** Least difference mass (sum of luma steps above NOISE) a strip needs to count as moving: ~10 thumbnail pixels. */
    public static final float MIN_MASS = 60f;
    /** Analysis rate cap: every frame of a 24-30 fps video, every other one above. */
    public static final double MAX_FPS = 30;

    private MotionEvents() {}

    /** Decodes {@code video} at its own rate (at most {@link #MAX_FPS}) and finds its events. */
    public static Result detect(VideoIndex video, WorkerPool pool) {
        return detect(video, pool, (done, total) -> {});
    }

    /** As {@link #detect(VideoIndex, WorkerPool)}, reporting (frames analysed, frames in all) after each frame. */
    public static Result detect(VideoIndex video, WorkerPool pool, FrameProgress progress) {
        double fps = analysisRate(video);
        int total = VideoFrames.plan(video, fps).length;
        Analyzer a = new Analyzer(fps);
        VideoFrames.DecodeStats stats = VideoFrames.samplePictures(video, fps, pool,
                pic -> thumbnail(pic, video.width, video.height, video.color.fullRange()), (frame, thumb) -> {
                    a.accept(thumb);
                    progress.frames(a.frames, total);
                });
        return a.finish(stats);
    }

    /** Told after each analysed frame. */
    @FunctionalInterface
    public interface FrameProgress {
        void frames(int done, int total);
    }

    /** The video's own rate rounded, within [1, MAX_FPS]. */
    public static double analysisRate(VideoIndex video) {
        return Math.min(MAX_FPS, Math.max(1, Math.round(video.frameRate())));
    }

    /**
     * The decoded luma plane of {@code pic} (its displayed {@code width x height} area) box-averaged to THUMB_W x
     * THUMB_H, on the 0..255 scale of {@link #thumbnail(RgbImage)} (limited-range luma expanded), row-major.
     */
    public static float[] thumbnail(Picture pic, int width, int height, boolean fullRange) {
        int x0 = pic.getCrop() == null ? 0 : pic.getCrop().getX();
        int y0 = pic.getCrop() == null ? 0 : pic.getCrop().getY();
        byte[] py = pic.getPlaneData(0);
        int stride = pic.getPlaneWidth(0);
        float[] sum = new float[THUMB_W * THUMB_H];
        int[] count = new int[THUMB_W * THUMB_H];
        int[] col = new int[width];
        for (int x = 0; x < width; x++) col[x] = (int) ((long) x * THUMB_W / width);
        for (int y = 0; y < height; y++) {
            int row = (int) ((long) y * THUMB_H / height) * THUMB_W;
            int src = (y + y0) * stride + x0;
            for (int x = 0; x < width; x++) {
                sum[row + col[x]] += py[src + x] + 128;
                count[row + col[x]]++;
            }
        }
        float scale = fullRange ? 1f : 255f / 219f, offset = fullRange ? 0f : 16f;
        for (int i = 0; i < sum.length; i++) {
            sum[i] = count[i] == 0 ? 0 : Math.max(0, (sum[i] / count[i] - offset) * scale);
        }
        return sum;
    }

    /** Luma (BT.601 weights) of {@code img} box-averaged to THUMB_W x THUMB_H, row-major, 0..255. */
    public static float[] thumbnail(RgbImage img) {
        int w = img.width(), h = img.height();
        float[] sum = new float[THUMB_W * THUMB_H];
        int[] count = new int[THUMB_W * THUMB_H];
        byte[] d = img.data();
        for (int y = 0; y < h; y++) {
            int ty = (int) ((long) y * THUMB_H / h);
            int row = y * w * 3;
            for (int x = 0; x < w; x++) {
                int tx = (int) ((long) x * THUMB_W / w);
                int i = row + x * 3;
                sum[ty * THUMB_W + tx] += 0.299f * (d[i] & 0xFF) + 0.587f * (d[i + 1] & 0xFF) + 0.114f * (d[i + 2] & 0xFF);
                count[ty * THUMB_W + tx]++;
            }
        }
        for (int i = 0; i < sum.length; i++) sum[i] = count[i] == 0 ? 0 : sum[i] / count[i];
        return sum;
    }

    /** Streaming analysis: thumbnails in time order at a fixed rate. */
    public static final class Analyzer {
        private final double fps;
        private float[] prev;
        private final List<float[]> centroid = new ArrayList<>();   // per difference: [STRIPS] centroid y, NaN when still
        private final List<float[]> mass = new ArrayList<>();       // per difference: [STRIPS] summed difference
        private final List<float[]> xs = new ArrayList<>();         // per difference: [STRIPS] centroid x (0..1)
        private int frames;

        public Analyzer(double fps) {
            if (!(fps > 0)) throw new IllegalArgumentException("MotionEvents.Analyzer: fps must be > 0, got " + fps);
            this.fps = fps;
        }

        public void accept(float[] thumb) {
            if (thumb.length != THUMB_W * THUMB_H) {
                throw new IllegalArgumentException("MotionEvents.Analyzer: thumbnail has " + thumb.length
                        + " values, need " + THUMB_W * THUMB_H);
            }
            frames++;
            if (prev != null) {
                float[] c = new float[STRIPS], m = new float[STRIPS], x = new float[STRIPS];
                double[] sy = new double[STRIPS], sx = new double[STRIPS];
                for (int y = 0; y < THUMB_H; y++) {
                    for (int tx = 0; tx < THUMB_W; tx++) {
                        float diff = Math.abs(thumb[y * THUMB_W + tx] - prev[y * THUMB_W + tx]) - NOISE;
                        if (diff > 0) {
                            int s = tx * STRIPS / THUMB_W;
                            m[s] += diff;
                            sy[s] += (double) diff * y;
                            sx[s] += (double) diff * tx;
                        }
                    }
                }
                for (int s = 0; s < STRIPS; s++) {
                    c[s] = m[s] > 0 ? (float) (sy[s] / m[s]) : Float.NaN;
                    x[s] = m[s] > 0 ? (float) ((sx[s] / m[s] + 0.5) / THUMB_W) : Float.NaN;
                }
                centroid.add(c);
                mass.add(m);
                xs.add(x);
            }
            prev = thumb;
        }

        public Result finish(VideoFrames.DecodeStats stats) {
            int n = centroid.size();                  // difference j spans frames j and j + 1
            double[] curve = new double[n];           // curve[j]: a contact between frames j and j + 1
            double[] times = new double[n];
            double[] where = new double[n];
            float minMass = MIN_MASS;
            // At a contact inside difference k the two pictures nearly overlap, so its own centroid is unreliable:
            // compare the velocity before it (differences k-2 -> k-1) with the velocity after (k+1 -> k+2).
            for (int k = 0; k < n; k++) {
                times[k] = (k + 0.5) / fps;
                if (k < 2 || k + 2 >= n) continue;
                double sum = 0, wx = 0;
                for (int s = 0; s < STRIPS; s++) {
                    float a = centroid.get(k - 2)[s], b = centroid.get(k - 1)[s];
                    float c = centroid.get(k + 1)[s], d = centroid.get(k + 2)[s];
                    if (Float.isNaN(a) || Float.isNaN(b) || Float.isNaN(c) || Float.isNaN(d)) continue;
                    float m = Math.min(Math.min(mass.get(k - 2)[s], mass.get(k - 1)[s]),
                            Math.min(mass.get(k + 1)[s], mass.get(k + 2)[s]));
                    if (m < minMass) continue;
                    double before = b - a, after = d - c;
                    double drop = before - after;
                    if (before > 0 && drop > 0) {
                        double o = drop * Math.sqrt(m);
                        sum += o;
                        wx += o * xs.get(k - 1)[s];
                    }
                }
                curve[k] = sum;
                where[k] = sum > 0 ? wx / sum : 0.5;
            }
            List<Event> events = peaks(curve, times, where, fps);
            return new Result(events, times, curve, fps, stats);
        }
    }

    /**
     * Local maxima above max(3% of the clip's largest, a velocity drop of 1 thumbnail pixel per frame at the least
     * mass), MIN_GAP apart (the stronger wins).
     */
    static List<Event> peaks(double[] curve, double[] times, double[] where, double fps) {
        double max = 0;
        for (double v : curve) max = Math.max(max, v);
        List<Event> out = new ArrayList<>();
        if (max <= 0) return out;
        double thr = Math.max(0.03 * max, Math.sqrt(MIN_MASS));
        int gap = (int) Math.ceil(MIN_GAP * fps);
        int last = -gap - 1;
        for (int i = 1; i < curve.length; i++) {
            double v = curve[i];
            if (v < thr || v < curve[i - 1] || (i + 1 < curve.length && v < curve[i + 1])) continue;
            double a = curve[i - 1], c = i + 1 < curve.length ? curve[i + 1] : 0;
            double den = a - 2 * v + c;
            double off = den < 0 ? 0.5 * (a - c) / den : 0;          // parabola vertex, within [-0.5, 0.5]
            Event e = new Event(times[i] + off / fps, where[i], v / max);
            if (i - last <= gap && !out.isEmpty()) {
                if (out.get(out.size() - 1).strength() < e.strength()) out.set(out.size() - 1, e);
                else continue;
            } else {
                out.add(e);
            }
            last = i;
        }
        return out;
    }
}
