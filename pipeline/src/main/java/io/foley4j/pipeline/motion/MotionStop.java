package io.foley4j.pipeline.motion;

/**
 * The "motion stop" curve of a clip: how much frame-difference mass vanished from one frame to the next, the trace of
 * something that was moving and stopped (a foot landing, a door hitting its frame), which the mean luma change (it
 * stays high while anything moves) and {@link MotionEvents}' contact curve (a downward motion turning back) miss.
 *
 * <p>Thumbnails ({@link MotionEvents#thumbnail}, THUMB_W x THUMB_H) are cut into ROWS x COLS tiles of about 10 x 10
 * thumbnail pixels. Per tile the difference mass of frame k is {@code m_k = sum max(0, |L_k - L_{k-1}| - NOISE)}
 * (codec noise ignored, as in MotionEvents); the raw stop at frame k is {@code s_k = sum over tiles max(0, m_{k-1} -
 * m_k)}: mass that vanished, never offset by motion starting elsewhere (one foot lands as the other lifts). Tiles
 * rather than whole rows keep two things moving side by side apart. The feature is {@code s_k / max(max_k s_k,
 * MIN_MASS)}: 1 at the clip's largest stop, 0 for a still clip, and noise-sized changes are not magnified.
 */
public final class MotionStop {
    public static final int ROWS = 9, COLS = 16;

    private final float[] raw;                 // [frames] s_k
    private float[] prev;                      // the previous thumbnail
    private float[] mass = new float[ROWS * COLS], prevMass = new float[ROWS * COLS];   // [ROWS, COLS]
    private int frames;
    private boolean hasPrevMass;

    /** For a clip of {@code frames} frames, fed in order through {@link #accept}. */
    public MotionStop(int frames) {
        if (frames < 0) throw new IllegalArgumentException("MotionStop: frames must be >= 0, got " + frames);
        this.raw = new float[frames];
    }

    /** The next frame's thumbnail [THUMB_H, THUMB_W]. */
    public void accept(float[] thumb) {
        int w = MotionEvents.THUMB_W, h = MotionEvents.THUMB_H;
        if (thumb.length != w * h) {
            throw new IllegalArgumentException("MotionStop: thumbnail has " + thumb.length + " values, need " + w * h);
        }
        if (frames >= raw.length) throw new IllegalArgumentException("MotionStop: more than " + raw.length + " frames");
        int k = frames++;
        if (prev != null) {
            java.util.Arrays.fill(mass, 0f);
            for (int y = 0; y < h; y++) {
                int row = y * ROWS / h * COLS;
                for (int x = 0; x < w; x++) {
                    float d = Math.abs(thumb[y * w + x] - prev[y * w + x]) - MotionEvents.NOISE;
                    if (d > 0) mass[row + x * COLS / w] += d;
                }
            }
            if (hasPrevMass) {
                double s = 0;
                for (int t = 0; t < mass.length; t++) s += Math.max(0f, prevMass[t] - mass[t]);
                raw[k] = (float) s;
            }
            float[] swap = prevMass;
            prevMass = mass;
            mass = swap;
            hasPrevMass = true;
        }
        prev = thumb;
    }

    /** Writes the normalized curve into column {@code col} of feats [frames, featDim]. */
    public void write(float[] feats, int featDim, int col) {
        if (col < 0 || col >= featDim || feats.length < raw.length * featDim) {
            throw new IllegalArgumentException("MotionStop.write: column " + col + " of [" + raw.length + ", " + featDim
                    + "] does not fit feats of " + feats.length + " values");
        }
        float max = MotionEvents.MIN_MASS;
        for (float v : raw) max = Math.max(max, v);
        for (int k = 0; k < raw.length; k++) feats[k * featDim + col] = raw[k] / max;
    }
}
